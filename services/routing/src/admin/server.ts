import { createHash, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { errorMessage, type Logger } from "@smsgw/service-kit";
import express, { type NextFunction, type Request, type Response } from "express";
import type { RouteStore } from "../kv/route-store.ts";
import { normalisePrefix, type Parsed, parseRoute, parseSenderRule } from "../operations.ts";

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

export interface AdminOptions {
  port: number;
  host: string;
  token: string;
  store: RouteStore;
  scores(): unknown;
  log: Logger;
}

/**
 * The operator's HTTP API: routes, sender rules, live scores. Bearer ADMIN_TOKEN
 * (compared in constant time); JSON answers `{ status, message }` on every error, never
 * a stack trace. Changes go to the routes bucket; every replica picks them up.
 */
export async function startAdminServer(options: AdminOptions): Promise<AdminServer> {
  const { store, log } = options;
  const expected = digest(options.token);
  const app = express();
  app.disable("x-powered-by");
  app.use((req, res, next) => {
    const header = req.get("authorization") ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : "";
    // Hashing first makes the lengths equal, so the comparison leaks nothing.
    if (given && timingSafeEqual(digest(given), expected)) return next();
    fail(res, 401, "auth_failed", "a valid Bearer token is required");
  });
  app.use(express.json({ limit: "64kb" }));

  app.get("/v1/routes", async (_req, res) => {
    res.json({ routes: (await store.list()).routes });
  });
  app.put("/v1/routes/:prefix", async (req, res) => {
    const route = parseRoute(String(req.params.prefix), req.body);
    if (!isOk(route, res)) return;
    await store.putRoute(route.value);
    res.json({ route: route.value });
  });
  app.delete("/v1/routes/:prefix", async (req, res) => {
    const prefix = normalisePrefix(String(req.params.prefix));
    if (!isOk(prefix, res)) return;
    if (await store.deleteRoute(prefix.value)) res.status(204).end();
    else fail(res, 404, "not_found", `no route for ${prefix.value}`);
  });
  app.get("/v1/senders", async (_req, res) => {
    res.json({ senders: (await store.list()).senders });
  });
  app.put("/v1/senders/:prefix", async (req, res) => {
    const rule = parseSenderRule(String(req.params.prefix), req.body);
    if (!isOk(rule, res)) return;
    await store.putSender(rule.value);
    res.json({ sender: rule.value });
  });
  app.delete("/v1/senders/:prefix", async (req, res) => {
    const prefix = normalisePrefix(String(req.params.prefix));
    if (!isOk(prefix, res)) return;
    if (await store.deleteSender(prefix.value)) res.status(204).end();
    else fail(res, 404, "not_found", `no sender rule for ${prefix.value}`);
  });
  app.get("/v1/scores", (_req, res) => {
    res.json(options.scores());
  });
  app.use((_req: Request, res: Response) => fail(res, 404, "not_found", "no such endpoint"));
  // Express 5 routes rejected promises here too; a malformed JSON body arrives as a 400.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (status !== undefined && status >= 400 && status < 500) {
      fail(res, status, "invalid_params", "the body must be a JSON object (at most 64 kB)");
      return;
    }
    log.error({ err: errorMessage(error) }, "admin request failed");
    fail(res, 500, "server_error", "the change could not be stored; try again");
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

const digest = (text: string) => createHash("sha256").update(text).digest();

function fail(res: Response, http: number, status: string, message: string): void {
  res.status(http).json({ status, message });
}

function isOk<T>(parsed: Parsed<T>, res: Response): parsed is { ok: true; value: T } {
  if (!parsed.ok) fail(res, 400, "invalid_params", parsed.message);
  return parsed.ok;
}
