import type { AccountRecord } from "@smsgw/contracts";
import type { BucketLimits } from "./token-bucket.ts";

export interface DefaultLimits {
  ip: BucketLimits;
  account: BucketLimits;
}

/**
 * The account's own rate limits: `AccountRecord.limits` overrides the operator's defaults
 * (api.md: "per account too"). A raised rate without its own burst keeps at least one
 * second's worth of burst, so the raised rate is reachable from a standing start.
 */
export function accountLimitsOf(account: AccountRecord, defaults: DefaultLimits): BucketLimits {
  const own = account.limits;
  if (own?.accountRatePerSec === undefined && own?.accountBurst === undefined) {
    return defaults.account;
  }
  const ratePerSec = own.accountRatePerSec ?? defaults.account.ratePerSec;
  return {
    ratePerSec,
    burst: Math.max(
      1,
      Math.floor(own.accountBurst ?? Math.max(defaults.account.burst, ratePerSec)),
    ),
  };
}

/** The raised per-IP limit of an account (a customer sending from one backend host), or null. */
export function ipLimitsOf(account: AccountRecord, defaults: DefaultLimits): BucketLimits | null {
  const rate = account.limits?.ipRatePerSec;
  if (rate === undefined) return null;
  return { ratePerSec: rate, burst: Math.max(defaults.ip.burst, Math.ceil(rate)) };
}
