import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import { clientKeyOf } from "@smsgw/callback-guard";
import { type AdmissionGate, type ApiError, apiError } from "@smsgw/message-acceptance";
import type { Logger } from "@smsgw/service-kit";
import proxyaddr from "proxy-addr";
import { checkAccess, type Principal } from "../domain/access.ts";
import { readCredentials } from "../domain/credentials.ts";
import { type Authenticator, rememberPrincipal } from "./auth.ts";
import { noteAnonymousAtDoor } from "./body-ip-limit.ts";
import { type IpLimitDeps, ipLimitRefusal } from "./limits.ts";
import { noteDoorAnswer } from "./observe.ts";
import type { RaisedClients } from "./raised-clients.ts";
import { errorBody, errorHttpStatus } from "./reply.ts";

export interface FrontDoorDeps {
  ipLimit: IpLimitDeps;
  /** Addresses whose bodies lately named an account with a raised IP limit (`body-ip-limit.ts`). */
  raisedClients: RaisedClients;
  authenticator: Authenticator;
  admission: AdmissionGate;
  /** As the app's `trust proxy`: one hop (the nearest proxy's X-Forwarded-For entry) or none. */
  trustProxy: boolean;
  log: Logger;
}

/**
 * The sends of one message whose account the URL and headers alone name, as the app reads
 * it: `GET /` has no body, so its credentials are the query's (the compatible endpoint never
 * reads the Authorization header); `POST /v1/messages` with HTTP Basic takes those whatever
 * its body says. Any other send (a body that may name another account) is the app's.
 */
const SINGLE_SENDS = new Map<string, { route: string; from: "query" | "authorization" }>([
  ["GET /", { route: "/", from: "query" }],
  ["POST /v1/messages", { route: "/v1/messages", from: "authorization" }],
]);

/**
 * The sends whose body may name their account (form fields or JSON `hash`/`token`): each reads
 * its body and then runs `bodyIpLimit` before anything else.
 */
const BODY_SENDS = new Set([
  "POST /",
  "POST /v1/messages",
  "POST /v1/messages/batch",
  // Not a send, but the `send` scope's, and its body may name its account as a batch's does.
  "POST /v1/messages/cancel",
]);

const NO_QUERY = Object.freeze({});

/**
 * What ingress decides before express (ADR 0026): the per-IP limit, first whatever is sent
 * (api.md section 1), and for a send of one message by a known account while the gateway is
 * at capacity, the admission's refusal (`refuseEarly`). Both are answered from the URL and
 * headers alone, with a raw write: a refusal costs neither express, nor the body, nor the
 * checks of a send. Everything else goes on to `next` (the app), which makes the send's
 * admission decision again where it always did.
 */
export function frontDoor(deps: FrontDoorDeps, next: RequestListener): RequestListener {
  const trust = deps.trustProxy ? (_address: string, hop: number) => hop < 1 : () => false;
  return (req, res) => {
    let url: DoorUrl;
    try {
      url = splitUrl(req.url ?? "/");
      const address = proxyaddr(req, trust) ?? "";
      const credentials = readCredentials(req.headers.authorization, url.query);
      const principal = credentials ? verify(deps.authenticator, req, credentials) : null;
      const clientKey = clientKeyOf(address || "unknown");
      const limited = ipLimitRefusal(deps.ipLimit, clientKey, principal?.account ?? null);
      if (!principal && BODY_SENDS.has(`${req.method} ${routeKey(url.path)}`)) {
        // Its body may name the account: one with a raised IP limit, when this address's
        // bodies named one lately; then that account's limit is applied once the body is read.
        const deferred =
          limited !== null && deps.raisedClients.knows(clientKey, deps.ipLimit.now());
        noteAnonymousAtDoor(req, clientKey, deferred);
        if (deferred) return passOn(req, res, url, next);
      }
      if (limited) return answer(req, res, url.path, undefined, limited);
      const send = SINGLE_SENDS.get(`${req.method} ${routeKey(url.path)}`);
      // The credentials read above are the send's own: the query's when no Authorization
      // header came (GET /), the header's when one did (POST /v1/messages).
      const own =
        send && (req.headers.authorization !== undefined) === (send.from === "authorization");
      if (send && own && principal && !checkAccess(principal, "send", address)) {
        const shed = deps.admission.refuseEarly(principal.account, 1);
        if (shed) return answer(req, res, url.path, send.route, shed);
      }
    } catch (error) {
      // Nothing here is expected to throw; a request listener that did would end the process.
      deps.log.error({ err: error, method: req.method }, "front door failed");
      return answer(
        req,
        res,
        "",
        undefined,
        apiError("server_error", "something went wrong; nothing was accepted or charged"),
      );
    }
    passOn(req, res, url, next);
  };
}

/** Hands the request to the app, its query parsed once. */
function passOn(req: IncomingMessage, res: ServerResponse, url: DoorUrl, next: RequestListener) {
  // Parsed once: express's own `req.query` getter (the "simple" parser, node's querystring
  // as here) would parse it again at every read.
  if (url.query !== NO_QUERY) {
    Object.defineProperty(req, "query", {
      value: url.query,
      writable: true,
      configurable: true,
    });
  }
  // Listening for checkContinue, node leaves the interim answer to us: a client that waits
  // for it before its body sends the body only once the door has let it through.
  if (expectsContinue(req)) res.writeContinue();
  next(req, res);
}

/** Requests node handed over as `checkContinue`: their client holds its body back. */
const heldBack = new WeakSet<IncomingMessage>();

/**
 * The listener for node's `checkContinue`: node decides which requests wait for `100 Continue`
 * (HTTP/1.1, `Expect: 100-continue`), and only those are sent one, once the door let them in.
 */
export function awaitingContinue(listener: RequestListener): RequestListener {
  return (req, res) => {
    heldBack.add(req);
    listener(req, res);
  };
}

function expectsContinue(req: IncomingMessage): boolean {
  return heldBack.has(req);
}

interface DoorUrl {
  path: string;
  query: Record<string, unknown>;
}

/**
 * The path and the parsed query, as express reads them from an origin-form URL. Another form
 * (a fragment, which express's parseurl would cut, or no leading slash) is left to express:
 * no query here, so only the default IP limit applies before it.
 */
export function splitUrl(url: string): DoorUrl {
  if (!url.startsWith("/") || url.includes("#")) return { path: "", query: NO_QUERY };
  const mark = url.indexOf("?");
  if (mark < 0) return { path: url, query: NO_QUERY };
  return { path: url.slice(0, mark), query: parseQuery(url.slice(mark + 1)) };
}

/** As express routes (case-insensitive, a trailing slash ignored). */
function routeKey(path: string): string {
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith("/") ? lower.slice(0, -1) : lower;
}

function verify(
  authenticator: Authenticator,
  req: IncomingMessage,
  credentials: { hash: string; token: string },
): Principal | null {
  const principal = authenticator.authenticate(credentials.hash, credentials.token);
  if (principal) rememberPrincipal(req, credentials.hash, credentials.token, principal);
  return principal;
}

/**
 * The refusal as `sendError` writes it (api.md section 1's HTTP code at `/`, section 2's
 * elsewhere). An unread body is discarded by node once the answer ends; one held back for
 * `Expect: 100-continue` is never asked for, and node closes that connection after the answer
 * (the client may still send the body, or never).
 */
function answer(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  route: string | undefined,
  error: ApiError,
): void {
  const body = JSON.stringify(errorBody(error));
  noteDoorAnswer(req, route, error.status);
  res.writeHead(errorHttpStatus(path, error), {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...(error.retryAfterSec === undefined ? {} : { "retry-after": String(error.retryAfterSec) }),
  });
  res.end(body);
}
