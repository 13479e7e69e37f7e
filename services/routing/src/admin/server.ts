import {
  type AdminApi,
  type AdminCredentials,
  adminFail,
  type Logger,
  startAdminApi,
} from "@smsgw/service-kit";
import type { Response } from "express";
import type { RouteStore } from "../kv/route-store.ts";
import { normalisePrefix, type Parsed, parseRoute, parseSenderRule } from "../operations.ts";

export type AdminServer = AdminApi;

export interface AdminOptions {
  port: number;
  host: string;
  /** The shared token and the named operators (ADMIN_TOKEN, ADMIN_OPERATORS). */
  credentials: AdminCredentials;
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
  return startAdminApi({
    port: options.port,
    host: options.host,
    credentials: options.credentials,
    log,
    failureMessage: "the change could not be stored; try again",
    routes: (router) => {
      router.get("/v1/routes", async (_req, res) => {
        res.json({ routes: (await store.list()).routes });
      });
      router.put("/v1/routes/:prefix", async (req, res) => {
        const route = parseRoute(String(req.params.prefix), req.body);
        if (!isOk(route, res)) return;
        await store.putRoute(route.value);
        res.json({ route: route.value });
      });
      router.delete("/v1/routes/:prefix", async (req, res) => {
        const prefix = normalisePrefix(String(req.params.prefix));
        if (!isOk(prefix, res)) return;
        if (await store.deleteRoute(prefix.value)) res.status(204).end();
        else adminFail(res, 404, "not_found", `no route for ${prefix.value}`);
      });
      router.get("/v1/senders", async (_req, res) => {
        res.json({ senders: (await store.list()).senders });
      });
      router.put("/v1/senders/:prefix", async (req, res) => {
        const rule = parseSenderRule(String(req.params.prefix), req.body);
        if (!isOk(rule, res)) return;
        await store.putSender(rule.value);
        res.json({ sender: rule.value });
      });
      router.delete("/v1/senders/:prefix", async (req, res) => {
        const prefix = normalisePrefix(String(req.params.prefix));
        if (!isOk(prefix, res)) return;
        if (await store.deleteSender(prefix.value)) res.status(204).end();
        else adminFail(res, 404, "not_found", `no sender rule for ${prefix.value}`);
      });
      router.get("/v1/scores", (_req, res) => {
        res.json(options.scores());
      });
    },
  });
}

function isOk<T>(parsed: Parsed<T>, res: Response): parsed is { ok: true; value: T } {
  if (!parsed.ok) adminFail(res, 400, "invalid_params", parsed.message);
  return parsed.ok;
}
