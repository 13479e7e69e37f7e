import type { AccountRecord } from "@smsgw/contracts";
import {
  type ApiError,
  accountLimitsOf,
  type DefaultLimits,
  ipLimitsOf,
  type RateLimiter,
  type TakeDecision,
} from "@smsgw/message-acceptance";
import type { RequestHandler } from "express";
import { clientKeyOf } from "../domain/client-key.ts";
import { readCredentials } from "../domain/credentials.ts";
import type { Authenticator } from "./auth.ts";
import { sendError } from "./reply.ts";

export function rateLimited(decision: TakeDecision, message: string): ApiError | null {
  if (decision.allowed) return null;
  return { status: "rate_limit", message, retryAfterSec: decision.retryAfterSec };
}

/** Takes `count` tokens from the account's bucket (its own limits when it has them). */
export function accountThrottle(
  deps: { accountLimiter: RateLimiter; defaultLimits: DefaultLimits; now(): number },
  account: AccountRecord,
  count: number,
): ApiError | null {
  return rateLimited(
    deps.accountLimiter.take(
      account.accountId,
      deps.now(),
      accountLimitsOf(account, deps.defaultLimits),
      count,
    ),
    "too many requests for this account; retry after the Retry-After seconds",
  );
}

export interface IpLimitDeps {
  limiter: RateLimiter;
  authenticator: Authenticator;
  defaultLimits: DefaultLimits;
  now(): number;
}

/**
 * The per-client-IP limit, before any other work. The IP is the socket's peer, or the
 * nearest proxy's X-Forwarded-For entry when `trust proxy` is set; an IPv6 client is
 * counted by its /64 (`clientKeyOf`). An account with a
 * raised IP limit (`limits.ipRatePerSec`) gets it when its credentials come in the
 * Authorization header or the query string (read without touching the body; checking a
 * token is one SHA-256 over memory), in a bucket of its own for that IP.
 */
export function perIpLimit(deps: IpLimitDeps): RequestHandler {
  return (req, res, next) => {
    const ip = clientKeyOf(req.ip ?? req.socket.remoteAddress ?? "unknown");
    let key = ip;
    let limits = deps.defaultLimits.ip;
    const credentials = readCredentials(req.get("authorization"), req.query);
    const account = credentials
      ? (deps.authenticator.authenticate(credentials.hash, credentials.token)?.account ?? null)
      : null;
    const raised = account ? ipLimitsOf(account, deps.defaultLimits) : null;
    if (account && raised) {
      key = `${ip}|${account.accountId}`;
      limits = raised;
    }
    const refusal = rateLimited(
      deps.limiter.take(key, deps.now(), limits),
      "too many requests from this address; slow down and retry after the Retry-After seconds",
    );
    if (refusal) sendError(res, refusal);
    else next();
  };
}
