import type { AccountRecord } from "@smsgw/contracts";
import {
  type ApiError,
  accountLimitsOf,
  type DefaultLimits,
  ipLimitsOf,
  type RateLimiter,
  type TakeDecision,
} from "@smsgw/message-acceptance";

export function rateLimited(decision: TakeDecision, message: string): ApiError | null {
  if (decision.allowed) return null;
  return { status: "rate_limit", message, retryAfterSec: decision.retryAfterSec };
}

/**
 * Takes `count` tokens from the account's bucket (its own limits when it has them). A batch
 * of more messages than the bucket holds could never pass, however long the client waited:
 * it is refused as a bad request saying the most one request may carry, not with a
 * Retry-After that would only bring it back to the same refusal.
 */
export function accountThrottle(
  deps: { accountLimiter: RateLimiter; defaultLimits: DefaultLimits; now(): number },
  account: AccountRecord,
  count: number,
): ApiError | null {
  const limits = accountLimitsOf(account, deps.defaultLimits);
  if (count > limits.burst) {
    return {
      status: "invalid_params",
      message: `messages: ${count} in one request is more than this account's burst limit of ${limits.burst}; send at most ${limits.burst} a request`,
    };
  }
  return rateLimited(
    deps.accountLimiter.take(account.accountId, deps.now(), limits, count),
    "too many requests for this account; retry after the Retry-After seconds",
  );
}

export interface IpLimitDeps {
  limiter: RateLimiter;
  defaultLimits: DefaultLimits;
  now(): number;
}

/**
 * The per-client-IP limit, before any other work (the front door runs it). `ip` is the
 * client's key (`clientKeyOf`: an IPv6 client counts by its /64). An account with a raised
 * IP limit (`limits.ipRatePerSec`) gets it when its credentials came without the body (the
 * Authorization header or the query string), in a bucket of its own for that IP.
 */
export function ipLimitRefusal(
  deps: IpLimitDeps,
  ip: string,
  account: AccountRecord | null,
): ApiError | null {
  const raised = account ? ipLimitsOf(account, deps.defaultLimits) : null;
  const [key, limits] =
    account && raised ? [`${ip}|${account.accountId}`, raised] : [ip, deps.defaultLimits.ip];
  return rateLimited(
    deps.limiter.take(key, deps.now(), limits),
    "too many requests from this address; slow down and retry after the Retry-After seconds",
  );
}
