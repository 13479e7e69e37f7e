import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import {
  type AdmissionGate,
  type ApiError,
  HTTP_STATUS_OF,
  v1HttpStatus,
} from "@smsgw/message-acceptance";
import proxyaddr from "proxy-addr";
import { checkAccess } from "../domain/access.ts";
import { clientKeyOf } from "../domain/client-key.ts";
import { readCredentials } from "../domain/credentials.ts";
import { type Authenticator, rememberPrincipal } from "./auth.ts";
import { type IpLimitDeps, ipLimitRefusal } from "./limits.ts";
import { noteDoorAnswer } from "./observe.ts";
import { errorBody } from "./reply.ts";

export interface FrontDoorDeps {
  ipLimit: IpLimitDeps;
  authenticator: Authenticator;
  admission: AdmissionGate;
  /** As the app's `trust proxy`: one hop (the nearest proxy's X-Forwarded-For entry) or none. */
  trustProxy: boolean;
}

/** The sends of one message whose credentials can come without the body, by method and path. */
const SINGLE_SENDS = new Map([
  ["GET /", "/"],
  ["POST /", "/"],
  ["POST /v1/messages", "/v1/messages"],
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
    const url = req.url ?? "/";
    const mark = url.indexOf("?");
    const path = mark < 0 ? url : url.slice(0, mark);
    const query = mark < 0 ? NO_QUERY : parseQuery(url.slice(mark + 1));
    // As express's req.ip; a socket already gone has no address.
    const address = proxyaddr(req, trust) ?? "";
    const credentials = readCredentials(req.headers.authorization, query);
    const principal = credentials
      ? deps.authenticator.authenticate(credentials.hash, credentials.token)
      : null;
    if (credentials && principal) {
      rememberPrincipal(req, credentials.hash, credentials.token, principal);
    }
    const limited = ipLimitRefusal(
      deps.ipLimit,
      clientKeyOf(address || "unknown"),
      principal?.account ?? null,
    );
    if (limited) return answer(req, res, path, undefined, limited);
    const send = SINGLE_SENDS.get(`${req.method} ${path}`);
    if (send && principal && !checkAccess(principal, "send", address)) {
      const shed = deps.admission.refuseEarly(principal.account, 1);
      if (shed) return answer(req, res, path, send, shed);
    }
    // Parsed once: express's own `req.query` getter (the "simple" parser, node's querystring
    // as here) would parse it again at every read.
    if (mark >= 0)
      Object.defineProperty(req, "query", { value: query, writable: true, configurable: true });
    next(req, res);
  };
}

/**
 * The refusal as `sendError` writes it (api.md section 1's HTTP code at `/`, section 2's
 * elsewhere). An unread body is discarded by node once the answer ends.
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
  res.writeHead(path === "/" ? HTTP_STATUS_OF[error.status] : v1HttpStatus(error.status), {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...(error.retryAfterSec === undefined ? {} : { "retry-after": String(error.retryAfterSec) }),
  });
  res.end(body);
}
