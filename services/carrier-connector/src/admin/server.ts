import { createHash, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CARRIER_ID_PATTERN } from "@smsgw/contracts";
import { errorMessage, type Logger } from "@smsgw/service-kit";
import express, { type NextFunction, type Request, type Response } from "express";
import { type CarrierStore, redacted } from "../db/carrier-store.ts";
import { parseCarrierInput } from "../domain/carrier-input.ts";
import type { CarrierLinkStatus } from "../handlers/carrier-link.ts";

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

export interface AdminOptions {
  port: number;
  host: string;
  token: string;
  store: CarrierStore;
  /** Applies the table on this replica now (the others within CARRIER_RELOAD_MS). */
  applied(): Promise<void>;
  status(carrierId: string): CarrierLinkStatus | undefined;
  log: Logger;
}

/**
 * The operator's HTTP API for carriers: `GET /v1/carriers`, `GET|PUT|DELETE
 * /v1/carriers/:id`. Bearer ADMIN_TOKEN (constant-time compare); errors are `{ status,
 * message }`, never a stack trace; passwords are never echoed. A change is stored in
 * `connector.carriers` and applied at once here, within CARRIER_RELOAD_MS on other replicas.
 */
export async function startAdminServer(options: AdminOptions): Promise<AdminServer> {
  const { store, log } = options;
  const expected = digest(options.token);
  const app = express();
  app.disable("x-powered-by");
  app.use((req, res, next) => {
    const header = req.get("authorization") ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : "";
    if (given && timingSafeEqual(digest(given), expected)) return next();
    fail(res, 401, "auth_failed", "a valid Bearer token is required");
  });
  app.use(express.json({ limit: "64kb" }));

  const view = (carrier: Parameters<typeof redacted>[0]) => ({
    ...redacted(carrier),
    status: options.status(carrier.id) ?? null,
  });

  app.get("/v1/carriers", async (_req, res) => {
    const { carriers, invalid } = await store.list();
    res.json({ carriers: carriers.map(view), invalid });
  });
  app.get("/v1/carriers/:id", async (req, res) => {
    const carrier = (await store.list()).carriers.find((c) => c.id === req.params.id);
    if (carrier) res.json({ carrier: view(carrier) });
    else fail(res, 404, "not_found", `no carrier "${req.params.id}"`);
  });
  app.put("/v1/carriers/:id", async (req, res) => {
    const id = String(req.params.id);
    if (!CARRIER_ID_PATTERN.test(id)) {
      return fail(res, 400, "invalid_params", "id: lower-case letters, digits, _ and -");
    }
    const parsed = parseCarrierInput(id, req.body);
    if (!parsed.ok) return fail(res, 400, "invalid_params", parsed.message);
    await store.put(parsed.value);
    await options.applied();
    res.json({ carrier: view(parsed.value) });
  });
  app.delete("/v1/carriers/:id", async (req, res) => {
    if (!(await store.delete(String(req.params.id)))) {
      return fail(res, 404, "not_found", `no carrier "${req.params.id}"`);
    }
    await options.applied();
    res.status(204).end();
  });
  app.use((_req: Request, res: Response) => fail(res, 404, "not_found", "no such endpoint"));
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
