import { apiError } from "@smsgw/message-acceptance";
import type { Logger } from "@smsgw/service-kit";
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from "express";
import { renderDocsPage } from "../openapi/docs-page.ts";
import { buildOpenApiDocument } from "../openapi/document.ts";
import { type BodyIpLimitDeps, bodyIpLimit } from "./body-ip-limit.ts";
import { deadline } from "./deadline.ts";
import { createMessageStatusHandler, type MessageStatusDeps } from "./message-status.ts";
import { sendError } from "./reply.ts";
import { createSendHandler, type SendDeps } from "./send.ts";
import { createV1BatchHandler, type V1BatchDeps } from "./v1-batch.ts";
import { type CancelDeps, cancelHandler } from "./v1-cancel.ts";
import { cancelManyHandler } from "./v1-cancel-many.ts";
import { createKeyHandler, type KeysDeps, listKeysHandler, revokeKeyHandler } from "./v1-keys.ts";
import { type NumbersDeps, numbersHandlers } from "./v1-numbers.ts";
import {
  balanceHandler,
  eventsHandler,
  phoneFormatHandler,
  pricesHandler,
  type QueryDeps,
} from "./v1-queries.ts";
import { type RedactDeps, redactHandler } from "./v1-redact.ts";
import { exportHandler, type SearchDeps, searchHandler } from "./v1-search.ts";
import { createV1SendHandler, type V1SendDeps } from "./v1-send.ts";
import { type SubaccountsDeps, subaccountHandlers } from "./v1-subaccounts.ts";

export interface AppDeps {
  send: SendDeps;
  status: MessageStatusDeps;
  v1Send: V1SendDeps;
  v1Batch: V1BatchDeps;
  queries: QueryDeps;
  numbers: NumbersDeps;
  subaccounts: SubaccountsDeps;
  search: SearchDeps;
  keys: KeysDeps;
  redact: RedactDeps;
  cancel: CancelDeps;
  /** The IP limit of the account a send's body names (the front door cannot see bodies). */
  bodyIpLimit: BodyIpLimitDeps;
  log: Logger;
  trustProxy: boolean;
  maxBodyBytes: number;
  batchMaxBodyBytes: number;
  requestTimeoutMs: number;
}

const BODY_TYPES = ["application/json", "application/x-www-form-urlencoded"];
const JSON_ONLY = ["application/json"];

/**
 * The HTTP face behind the front door (which ran the per-IP limit): the compatible endpoint
 * at `/`, the native API under `/v1`, the docs; every other answer JSON as well. The probes and /metrics
 * are not here: they are on the health port (`startHealthServer`), not the internet's.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.set("query parser", "simple");
  // One hop: the address the nearest proxy appended, which a client cannot forge.
  app.set("trust proxy", deps.trustProxy ? 1 : false);

  app.use(deadline(deps.requestTimeoutMs));

  const ipLimitOfBody = bodyIpLimit(deps.bodyIpLimit);
  const bodyParsers: RequestHandler[] = [
    knownContentType(BODY_TYPES),
    express.json({ limit: deps.maxBodyBytes, strict: true, type: "application/json" }),
    express.urlencoded({
      limit: deps.maxBodyBytes,
      extended: false,
      parameterLimit: 100,
      type: "application/x-www-form-urlencoded",
    }),
    ipLimitOfBody,
  ];
  const send = createSendHandler(deps.send);
  app
    .route("/")
    .head(methodNotAllowed("GET, POST"))
    .get(send)
    .post(...bodyParsers, send)
    .all(methodNotAllowed("GET, POST"));
  // /v1 is JSON only; a batch may be larger than a single message.
  const jsonBody = (limit: number): RequestHandler[] => [
    knownContentType(JSON_ONLY),
    express.json({ limit, strict: true, type: JSON_ONLY }),
  ];
  const post = (path: string, limit: number, ...handlers: RequestHandler[]) =>
    app
      .route(path)
      .post(...jsonBody(limit), ...handlers)
      .all(methodNotAllowed("POST"));
  const get = (path: string, handler: RequestHandler) =>
    app.route(path).head(methodNotAllowed("GET")).get(handler).all(methodNotAllowed("GET"));

  // GET is the search, POST a send; the fixed paths come before `/v1/messages/:id`.
  app
    .route("/v1/messages")
    .head(methodNotAllowed("GET, POST"))
    .get(searchHandler(deps.search))
    .post(...jsonBody(deps.maxBodyBytes), ipLimitOfBody, createV1SendHandler(deps.v1Send))
    .all(methodNotAllowed("GET, POST"));
  post(
    "/v1/messages/batch",
    deps.batchMaxBodyBytes,
    ipLimitOfBody,
    createV1BatchHandler(deps.v1Batch),
  );
  // Many scheduled messages at once, named in the body (`/v1/messages/:id/cancel` names one).
  post(
    "/v1/messages/cancel",
    deps.batchMaxBodyBytes,
    ipLimitOfBody,
    cancelManyHandler(deps.cancel),
  );
  get("/v1/messages/export.csv", exportHandler(deps.search));
  get("/v1/messages/:id", createMessageStatusHandler(deps.status) as RequestHandler);
  get("/v1/messages/:id/events", eventsHandler(deps.queries) as RequestHandler);
  // No body: the path names the message.
  app
    .route("/v1/messages/:id/cancel")
    .post(cancelHandler(deps.cancel) as RequestHandler)
    .all(methodNotAllowed("POST"));
  app
    .route("/v1/messages/:id/redact")
    .post(redactHandler(deps.redact) as RequestHandler)
    .all(methodNotAllowed("POST"));
  get("/v1/balance", balanceHandler(deps.queries));
  get("/v1/prices", pricesHandler(deps.queries));
  get("/v1/phone/format", phoneFormatHandler(deps.queries));
  const numbers = numbersHandlers(deps.numbers);
  app
    .route("/v1/numbers")
    .head(methodNotAllowed("GET, POST"))
    .get(numbers.list)
    .post(...jsonBody(deps.maxBodyBytes), numbers.take)
    .all(methodNotAllowed("GET, POST"));
  app
    .route("/v1/numbers/:number")
    .patch(...jsonBody(deps.maxBodyBytes), numbers.update)
    .delete(numbers.release)
    .all(methodNotAllowed("PATCH, DELETE"));
  app
    .route("/v1/opt-outs")
    .head(methodNotAllowed("GET, POST"))
    .get(numbers.optOuts)
    .post(...jsonBody(deps.maxBodyBytes), numbers.optOutAdd)
    .all(methodNotAllowed("GET, POST"));
  app.route("/v1/opt-outs/:number").delete(numbers.optOutRemove).all(methodNotAllowed("DELETE"));
  app
    .route("/v1/senders")
    .head(methodNotAllowed("GET, POST"))
    .get(numbers.senders)
    .post(...jsonBody(deps.maxBodyBytes), numbers.senderRequest)
    .all(methodNotAllowed("GET, POST"));
  app.route("/v1/senders/:sender").delete(numbers.senderWithdraw).all(methodNotAllowed("DELETE"));
  get("/v1/inbound", numbers.inbound);
  get("/v1/inbound/:id", numbers.inboundOne);
  app
    .route("/v1/keys")
    .head(methodNotAllowed("GET, POST"))
    .get(listKeysHandler(deps.keys))
    .post(...jsonBody(deps.maxBodyBytes), createKeyHandler(deps.keys))
    .all(methodNotAllowed("GET, POST"));
  const subaccounts = subaccountHandlers(deps.subaccounts);
  app
    .route("/v1/subaccounts")
    .head(methodNotAllowed("GET, POST"))
    .get(subaccounts.list)
    .post(...jsonBody(deps.maxBodyBytes), subaccounts.create)
    .all(methodNotAllowed("GET, POST"));
  app
    .route("/v1/subaccounts/:id/transfers")
    .post(...jsonBody(deps.maxBodyBytes), subaccounts.transfer)
    .all(methodNotAllowed("POST"));
  app
    .route("/v1/keys/:id")
    .delete(revokeKeyHandler(deps.keys) as RequestHandler)
    .all(methodNotAllowed("DELETE"));

  // Built once: the document is a pure function of the schemas.
  const document = buildOpenApiDocument();
  const documentJson = JSON.stringify(document);
  const docsPage = renderDocsPage(document);
  get("/openapi.json", (_req, res) => {
    res.type("application/json").set("cache-control", "public, max-age=300").send(documentJson);
  });
  get("/docs", (_req, res) => {
    res
      .type("text/html; charset=utf-8")
      .set("cache-control", "public, max-age=300")
      .set("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'")
      .send(docsPage);
  });

  app.use((_req, res) => sendError(res, apiError("not_found", "no such resource")));
  app.use(errorHandler(deps.log, deps.maxBodyBytes));
  return app;
}

/** A body of another type is refused (as invalid_params: 415 is not in api.md). */
function knownContentType(types: string[]): RequestHandler {
  const wanted = types.join(" or ");
  return (req, res, next) => {
    // No body (none, or an empty one): the fields are in the query string.
    const empty = req.get("content-length") === "0" && req.get("transfer-encoding") === undefined;
    const type = req.is(types);
    if (empty || type === null || type) return next();
    const given = req.get("content-type")?.split(";")[0]?.trim().slice(0, 80);
    sendError(
      res,
      apiError(
        "invalid_params",
        given
          ? `content type ${given} is not supported; send ${wanted}`
          : `content type is missing; send ${wanted}`,
      ),
    );
  };
}

function methodNotAllowed(allow: string): RequestHandler {
  return (req, res) => {
    res.set("allow", allow);
    sendError(
      res,
      apiError("method_not_allowed", `${req.method} is not allowed here; use ${allow}`),
    );
  };
}

const BODY_PROBLEMS: Record<string, string> = {
  "entity.parse.failed": "body is not valid JSON",
  "parameters.too.many": "body has too many fields",
  "querystring.parse.rangeError": "body is malformed",
  "charset.unsupported": "body charset is not supported; send UTF-8",
  "encoding.unsupported": "body content encoding is not supported",
  "request.aborted": "body was not received completely",
  "request.size.invalid": "body length does not match Content-Length",
};

/** Client errors (a body, a path escape) are invalid_params; anything else is a server_error, logged. */
function errorHandler(log: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const { type, status, limit } = (error ?? {}) as {
      type?: unknown;
      status?: unknown;
      limit?: unknown;
    };
    if (typeof status === "number" && status >= 400 && status < 500) {
      let message = "the request is malformed";
      // The route's own limit (a batch's is larger than a message's), as the parser says it.
      const most = typeof limit === "number" ? limit : maxBodyBytes;
      if (type === "entity.too.large") message = `body is larger than ${most} bytes`;
      else if (typeof type === "string") message = BODY_PROBLEMS[type] ?? "body is malformed";
      return sendError(res, apiError("invalid_params", message));
    }
    // The path only: the query string of `/` carries the token.
    log.error({ err: error, method: req.method, path: req.path }, "request failed");
    sendError(
      res,
      apiError("server_error", "something went wrong; nothing was accepted or charged"),
    );
  };
}
