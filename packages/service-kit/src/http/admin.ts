import { createHash, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { Logger } from "pino";
import { errorMessage } from "../errors.ts";

export interface AdminApi {
  port: number;
  close(): Promise<void>;
}

/** Every admin error has this shape: `{ status, message }`, never a stack trace. */
export function adminFail(res: Response, http: number, status: string, message: string): void {
  res.status(http).json({ status, message });
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * An operator's HTTP API on its own port: Bearer token compared in constant time, JSON
 * bodies up to a limit, JSON answers for unknown paths, malformed bodies and failures.
 * `routes` mounts the service's endpoints; everything else is the same for every service.
 */
export async function startAdminApi(options: {
  port: number;
  host: string;
  token: string;
  log: Logger;
  routes(router: Router): void;
  /** What a failed request answers (500); say what the operator should do. */
  failureMessage?: string;
}): Promise<AdminApi> {
  const expected = digest(options.token);
  const app = express();
  app.disable("x-powered-by");
  app.use((req, res, next) => {
    const header = req.get("authorization") ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : "";
    // Hashing first makes the lengths equal, so the comparison leaks nothing.
    if (given && timingSafeEqual(digest(given), expected)) return next();
    adminFail(res, 401, "auth_failed", "a valid Bearer token is required");
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
