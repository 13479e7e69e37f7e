import type { AccountRecord, ApiKeyScope } from "@smsgw/contracts";
import { AUTH_FAILED, type DefaultLimits, type RateLimiter } from "@smsgw/message-acceptance";
import type { Request, Response } from "express";
import { checkAccess, type Principal } from "../domain/access.ts";
import { readCredentials } from "../domain/credentials.ts";
import { type Authenticator, authenticateOnce } from "./auth.ts";
import { accountThrottle } from "./limits.ts";
import { sendError } from "./reply.ts";

export interface V1AuthDeps {
  authenticator: Authenticator;
  accountLimiter: RateLimiter;
  defaultLimits: DefaultLimits;
  now(): number;
}

/** The client's address as ingress derived it (the nearest proxy's, with TRUST_PROXY). */
export function clientIpOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "";
}

/**
 * The native API's credentials: HTTP Basic `hash:token`, else `hash`/`token` in a JSON
 * body, else in the query string. A key needs `scope` (null: any credential will do) and
 * the request must come from its allowlist (forbidden). Then the account's rate limit
 * (`count` tokens: one per message). Answers auth_failed, forbidden or rate_limit itself and
 * returns null.
 */
export function authenticateV1(
  deps: V1AuthDeps,
  req: Request,
  res: Response,
  scope: ApiKeyScope | null,
  count = 1,
): AccountRecord | null {
  return authenticatePrincipalV1(deps, req, res, scope, count)?.account ?? null;
}

/** `authenticateV1`, answering who asked: the key's own routes (/v1/keys) need to know. */
export function authenticatePrincipalV1(
  deps: V1AuthDeps,
  req: Request,
  res: Response,
  scope: ApiKeyScope | null,
  count = 1,
): Principal | null {
  const principal = verifiedPrincipal(deps, req);
  if (!principal) {
    res.set("www-authenticate", 'Basic realm="smsgw", charset="UTF-8"');
    sendError(res, AUTH_FAILED);
    return null;
  }
  const forbidden = checkAccess(principal, scope, clientIpOf(req));
  if (forbidden) {
    sendError(res, forbidden);
    return null;
  }
  const throttled = accountThrottle(deps, principal.account, count);
  if (throttled) {
    sendError(res, throttled);
    return null;
  }
  return principal;
}

/**
 * Who the request's credentials name, when they hold and may `scope` from here, or null;
 * nothing is answered and no rate-limit token taken (a replay of a stored answer needs no
 * more, and a request refused before authentication must not be told about its credentials).
 */
export function principalOfV1(
  deps: Pick<V1AuthDeps, "authenticator">,
  req: Request,
  scope: ApiKeyScope | null,
): Principal | null {
  const principal = verifiedPrincipal(deps, req);
  return principal && !checkAccess(principal, scope, clientIpOf(req)) ? principal : null;
}

/**
 * Whom the credentials name when they hold: HTTP Basic `hash:token`, else `hash`/`token` in
 * a JSON body, else in the query string.
 */
function verifiedPrincipal(deps: Pick<V1AuthDeps, "authenticator">, req: Request) {
  const body: unknown = req.body;
  const fromBody =
    typeof body === "object" && body !== null && !Array.isArray(body) && "hash" in body
      ? body
      : req.query;
  const credentials = readCredentials(req.get("authorization"), fromBody);
  return credentials
    ? authenticateOnce(deps.authenticator, req, credentials.hash, credentials.token)
    : null;
}
