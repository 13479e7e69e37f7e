import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { Logger } from "pino";
import { errorMessage } from "../errors.ts";
import {
  type AdminCaller,
  type AdminCredentials,
  adminActorOf,
  adminCallerOf,
} from "./admin-auth.ts";

export interface AdminApi {
  port: number;
  close(): Promise<void>;
}

/** Every admin error has this shape: `{ status, message }`, never a stack trace. */
export function adminFail(res: Response, http: number, status: string, message: string): void {
  res.status(http).json({ status, message });
}

/** Who the request's token proved to be (set by startAdminApi before any route runs). */
export function adminCallerOfResponse(res: Response): AdminCaller {
  return (res.locals.adminCaller as AdminCaller | undefined) ?? { kind: "shared" };
}

/**
 * An operator's HTTP API on its own port: the shared Bearer token or a named operator's
 * (ADMIN_OPERATORS), compared in constant time; JSON bodies up to a limit, JSON answers for
 * unknown paths, malformed bodies and failures. Every change (any method but GET and HEAD)
 * is logged with the operator its token proved, the route's pattern (never the path itself:
 * it may hold a phone number) and the answer's status: the operators' trail.
 * `routes` mounts the service's endpoints; everything else is the same for every service.
 */
export async function startAdminApi(options: {
  port: number;
  host: string;
  credentials: AdminCredentials;
  log: Logger;
  routes(router: Router): void;
  /** What a failed request answers (500); say what the operator should do. */
  failureMessage?: string;
}): Promise<AdminApi> {
  const app = express();
  app.disable("x-powered-by");
  app.use((req, res, next) => {
    const caller = adminCallerOf(req.get("authorization"), options.credentials);
    if (!caller) return adminFail(res, 401, "auth_failed", "a valid Bearer token is required");
    res.locals.adminCaller = caller;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.on("finish", () => {
        options.log.info(
          {
            actor: adminActorOf(caller),
            method: req.method,
            route: (req.route as { path?: string } | undefined)?.path ?? "(none)",
            status: res.statusCode,
          },
          "admin change",
        );
      });
    }
    next();
  });
  app.use(express.json({ limit: "64kb" }));
  const router = express.Router();
  options.routes(router);
  app.use(router);
  app.use((_req: Request, res: Response) => adminFail(res, 404, "not_found", "no such endpoint"));
  // Express 5 routes rejected promises here too; a malformed JSON body arrives as a 4xx.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (status !== undefined && status >= 400 && status < 500) {
      adminFail(res, status, "invalid_params", "the body must be a JSON object (at most 64 kB)");
      return;
    }
    options.log.error({ err: errorMessage(error) }, "admin request failed");
    adminFail(res, 500, "server_error", options.failureMessage ?? "the request failed; try again");
  });
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port, options.host, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
