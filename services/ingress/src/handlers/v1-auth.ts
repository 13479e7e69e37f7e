import type { AccountRecord } from "@smsgw/contracts";
import { AUTH_FAILED, type DefaultLimits, type RateLimiter } from "@smsgw/message-acceptance";
import type { Request, Response } from "express";
import { readCredentials } from "../domain/credentials.ts";
import type { Authenticator } from "./auth.ts";
import { accountThrottle } from "./limits.ts";
import { sendError } from "./reply.ts";

export interface V1AuthDeps {
  authenticator: Authenticator;
  accountLimiter: RateLimiter;
  defaultLimits: DefaultLimits;
  now(): number;
}

/**
 * The native API's credentials: HTTP Basic `hash:token`, else `hash`/`token` in a JSON
 * body, else in the query string. Then the account's rate limit (`count` tokens: one per
 * message). Answers auth_failed or rate_limit itself and returns null.
 */
export function authenticateV1(
  deps: V1AuthDeps,
  req: Request,
  res: Response,
  count = 1,
): AccountRecord | null {
  const body: unknown = req.body;
  const fromBody =
    typeof body === "object" && body !== null && !Array.isArray(body) && "hash" in body
      ? body
      : req.query;
  const credentials = readCredentials(req.get("authorization"), fromBody);
  const account = credentials
    ? deps.authenticator.authenticate(credentials.hash, credentials.token)
    : null;
  if (!account) {
    res.set("www-authenticate", 'Basic realm="smsgw", charset="UTF-8"');
    sendError(res, AUTH_FAILED);
    return null;
  }
  const throttled = accountThrottle(deps, account, count);
  if (throttled) {
    sendError(res, throttled);
    return null;
  }
  return account;
}
