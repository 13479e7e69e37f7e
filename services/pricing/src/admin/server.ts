import type { Server } from "node:http";
import { type AdminCaller, adminCallerOf, errorMessage, type Logger } from "@smsgw/service-kit";
import express, { type NextFunction, type Request, type Response } from "express";
import {
  AccountError,
  type AccountErrorCode,
  type AccountOperations,
  type MovementSummary,
} from "../accounts.ts";
import { PriceCsvError } from "../domain/price-csv.ts";
import { type PriceOperations, priceJson } from "../prices-admin.ts";
import { accountJson, credentialsJson, ledgerJson, movementJson } from "./views.ts";

/**
 * The operator's HTTP API (its own port, never the public one), behind a Bearer admin
 * token. It calls the same operations as the CLI. Every answer is JSON; errors are
 * `{ "error": { "code", "message" } }`, never a stack trace. Credit movements record
 * the actor from `X-Actor` (default "api") as `admin:<actor>`.
 */
export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

export interface AdminOptions {
  port: number;
  host: string;
  token?: string | undefined;
  /** Named operators: name -> SHA-256 of the token (ADMIN_OPERATORS). */
  operators?: ReadonlyMap<string, Buffer> | undefined;
  accounts: AccountOperations;
  prices: PriceOperations;
  log: Logger;
}

class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function createAdminApp(options: Omit<AdminOptions, "port" | "host">) {
  const { accounts, prices, log } = options;
  const app = express();
  app.disable("x-powered-by");
  app.use((req, res, next) => {
    const caller = adminCallerOf(req.get("authorization"), options);
    if (!caller) {
      next(new HttpError(401, "unauthorized", "a valid admin token is required (Bearer)"));
    } else {
      res.locals.caller = caller;
      next();
    }
  });
  app.use(express.json({ limit: "64kb" }));
  app.use(express.text({ type: ["text/csv", "text/plain"], limit: "5mb" }));

  const callerOf = (req: Request): AdminCaller =>
    (req.res?.locals.caller as AdminCaller | undefined) ?? { kind: "shared" };
  // A named operator is who its token proves; the shared token's holder says who it is.
  const actor = (req: Request) => {
    const caller = callerOf(req);
    return caller.kind === "operator"
      ? `operator:${caller.name}`
      : `admin:${(req.get("x-actor") ?? "api").slice(0, 64)}`;
  };
  /** The audit log's who and from where. */
  const by = (req: Request) => {
    const caller = callerOf(req);
    return {
      actor: caller.kind === "operator" ? `operator:${caller.name}` : "admin-api",
      ip: req.ip ?? null,
    };
  };
  const body = (req: Request): Record<string, unknown> =>
    typeof req.body === "object" && req.body !== null ? (req.body as Record<string, unknown>) : {};
  const text = (req: Request, field: string, required = true): string => {
    const value = body(req)[field];
    if (value === undefined && !required) return "";
    if (typeof value === "string") return value;
    if (typeof value === "number" && field !== "note") return String(value);
    throw new HttpError(400, "invalid_input", `"${field}" must be a string`);
  };
  const list = (req: Request, field: string): string[] => {
    const value = body(req)[field] ?? [];
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
    throw new HttpError(400, "invalid_input", `"${field}" must be an array of country codes`);
  };
  const account = (req: Request) => String(req.params.account);
  const summary = async (id: string) => {
    const found = await accounts.get(id);
    if (!found) throw new HttpError(404, "not_found", `no account named "${id}"`);
    return found;
  };

  app.get("/admin/accounts", async (_req, res) => {
    res.json({ accounts: (await accounts.list()).map(accountJson) });
  });
  app.post("/admin/accounts", async (req, res) => {
    const test = body(req).test;
    const credentials = await accounts.createAccount({
      name: text(req, "name"),
      credits: text(req, "credits"),
      currency: typeof body(req).currency === "string" ? String(body(req).currency) : "EUR",
      test: typeof test === "boolean" ? test : true,
      actor: actor(req),
      note: "initial credits",
      by: by(req),
    });
    res.status(201).json(credentialsJson(credentials, await summary(credentials.accountId)));
  });
  app.get("/admin/accounts/:account", async (req, res) => {
    res.json(accountJson(await summary(account(req))));
  });
  app.post("/admin/accounts/:account/token", async (req, res) => {
    const credentials = await accounts.rotateToken(account(req), by(req));
    res.json(credentialsJson(credentials, await summary(credentials.accountId)));
  });
  app.post("/admin/accounts/:account/webhook-secret", async (req, res) => {
    const rotated = await accounts.rotateWebhookSecret(account(req), by(req));
    res.json({ ...accountJson(rotated.summary), webhookSecret: rotated.webhookSecret });
  });
  app.post("/admin/accounts/:account/smpp-credentials", async (req, res) => {
    const requested = body(req)["systemId"];
    const rotated = await accounts.rotateSmppCredentials(
      account(req),
      typeof requested === "string" ? requested : undefined,
      by(req),
    );
    res.json({
      ...accountJson(rotated.summary),
      smpp: { systemId: rotated.systemId, password: rotated.password },
    });
  });
  app.post("/admin/accounts/:account/disable", async (req, res) => {
    res.json(accountJson(await accounts.disable(account(req), by(req))));
  });
  app.post("/admin/accounts/:account/enable", async (req, res) => {
    res.json(accountJson(await accounts.enable(account(req), by(req))));
  });
  // A credit movement's optional `reference` makes a retry answer the first movement, marked
  // as the public API marks a replayed send (Idempotent-Replayed), instead of moving again.
  const reference = (req: Request) =>
    body(req).reference === undefined ? undefined : text(req, "reference");
  const moved = (res: Response, done: MovementSummary) => {
    if (done.replayed) res.set("idempotent-replayed", "true");
    res.json(movementJson(done));
  };
  app.post("/admin/accounts/:account/top-up", async (req, res) => {
    const done = await accounts.topUp(
      account(req),
      text(req, "credits"),
      actor(req),
      text(req, "note", false),
      by(req),
      reference(req),
    );
    moved(res, done);
  });
  app.post("/admin/accounts/:account/adjust", async (req, res) => {
    const done = await accounts.adjust(
      account(req),
      text(req, "amount"),
      actor(req),
      text(req, "note"),
      by(req),
      reference(req),
    );
    moved(res, done);
  });
  app.post("/admin/accounts/:account/blocked-countries", async (req, res) => {
    const block = list(req, "block");
    const unblock = list(req, "unblock");
    if (block.length === 0 && unblock.length === 0) {
      throw new HttpError(400, "invalid_input", 'give "block" and/or "unblock": ["EE", …]');
    }
    if (block.length > 0) await accounts.blockCountries(account(req), block, by(req));
    if (unblock.length > 0) await accounts.unblockCountries(account(req), unblock, by(req));
    res.json(accountJson(await summary(account(req))));
  });
  app.put("/admin/accounts/:account/limits", async (req, res) => {
    res.json(accountJson(await accounts.setLimits(account(req), req.body ?? null, by(req))));
  });
  app.put("/admin/accounts/:account/default-callback-url", async (req, res) => {
    const url = (req.body as { defaultCallbackUrl?: unknown } | undefined)?.defaultCallbackUrl;
    if (url !== null && typeof url !== "string") {
      throw new HttpError(400, "invalid_input", 'give {"defaultCallbackUrl": "https://…" | null}');
    }
    res.json(accountJson(await accounts.setDefaultCallbackUrl(account(req), url, by(req))));
  });
  // Going live (issue 22): the operator's queue of requests, and the decision on one.
  app.get("/admin/live-requests", async (req, res) => {
    const status = typeof req.query.status === "string" ? req.query.status : "pending";
    if (!["pending", "approved", "declined", "all"].includes(status)) {
      throw new HttpError(400, "invalid_input", "status is pending, approved, declined or all");
    }
    const requests = await accounts.liveRequests({
      status: status as "pending" | "approved" | "declined" | "all",
    });
    res.json({ requests });
  });
  app.post("/admin/accounts/:account/live/approve", async (req, res) => {
    const request = await accounts.approveLive(account(req), by(req));
    res.json({ request, account: accountJson(await summary(request.accountId)) });
  });
  app.post("/admin/accounts/:account/live/decline", async (req, res) => {
    const request = await accounts.declineLive(account(req), text(req, "reason"), by(req));
    res.json({ request, account: accountJson(await summary(request.accountId)) });
  });
  app.put("/admin/accounts/:account/low-balance-threshold", async (req, res) => {
    const threshold = body(req).threshold;
    if (threshold !== null && typeof threshold !== "string") {
      throw new HttpError(400, "invalid_input", 'give {"threshold": "5.00" | null}');
    }
    res.json(accountJson(await accounts.setLowBalanceThreshold(account(req), threshold, by(req))));
  });
  app.get("/admin/accounts/:account/ledger", async (req, res) => {
    const limit = req.query.limit === undefined ? undefined : Number(req.query.limit);
    const before = typeof req.query.before === "string" ? req.query.before : undefined;
    const entries = await accounts.ledger(account(req), {
      ...(limit === undefined ? {} : { limit }),
      ...(before === undefined ? {} : { beforeId: before }),
    });
    res.json({ entries: entries.map(ledgerJson) });
  });
  app.get("/admin/accounts/:account/prices", async (req, res) => {
    res.json({ overrides: (await prices.overrides(account(req))).map(priceJson) });
  });
  app.put("/admin/accounts/:account/prices/:prefix", async (req, res) => {
    const override = await prices.setOverride(
      account(req),
      String(req.params.prefix),
      text(req, "price"),
      actor(req),
      by(req),
    );
    res.json(priceJson(override));
  });
  app.delete("/admin/accounts/:account/prices/:prefix", async (req, res) => {
    const removed = await prices.removeOverride(account(req), String(req.params.prefix), by(req));
    if (!removed) throw new HttpError(404, "not_found", "no such override");
    res.status(204).end();
  });
  app.get("/admin/prices", async (_req, res) => {
    res.json({ prices: (await prices.list()).map(priceJson) });
  });
  app.put("/admin/prices", async (req, res) => {
    if (typeof req.body !== "string") {
      throw new HttpError(400, "invalid_input", "send the price list as text/csv");
    }
    res.json(await prices.load(req.body, req.query.replace === "true"));
  });

  app.use((_req, _res, next) => next(new HttpError(404, "not_found", "no such admin route")));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, payload } = toErrorResponse(error);
    if (status >= 500) log.error({ err: errorMessage(error) }, "admin request failed");
    res.status(status).json({ error: payload });
  });
  return app;
}

const ERROR_STATUS: Partial<Record<AccountErrorCode, number>> = {
  not_found: 404,
  name_taken: 409,
  reference_reused: 409,
};

function toErrorResponse(error: unknown): {
  status: number;
  payload: { code: string; message: string; problems?: string[] };
} {
  if (error instanceof HttpError) {
    return { status: error.status, payload: { code: error.code, message: error.message } };
  }
  if (error instanceof AccountError) {
    const status = ERROR_STATUS[error.code] ?? 400;
    return { status, payload: { code: error.code, message: error.message } };
  }
  if (error instanceof PriceCsvError) {
    return {
      status: 400,
      payload: {
        code: "invalid_price_list",
        message: "invalid price list",
        problems: error.problems,
      },
    };
  }
  // body-parser: malformed JSON (400) or a body too large (413).
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { status, payload: { code: "invalid_request", message: errorMessage(error) } };
  }
  return { status: 500, payload: { code: "internal", message: "internal error; see the logs" } };
}

export async function startAdminServer(options: AdminOptions): Promise<AdminServer> {
  const app = createAdminApp(options);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port, options.host, (error?: Error) => {
      if (error) reject(error);
      else resolve(s);
    });
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : options.port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
