import type { AccountRecord } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { accountLimitsOf, ipLimitsOf } from "./account-limits.ts";

const defaults = {
  ip: { ratePerSec: 100, burst: 100 },
  account: { ratePerSec: 1_000, burst: 10_000 },
};
const account = (limits?: AccountRecord["limits"]) => ({ limits }) as AccountRecord;

describe("per-account limits", () => {
  it("when the account has no limits of its own, the defaults apply", () => {
    expect(accountLimitsOf(account(), defaults)).toBe(defaults.account);
    expect(ipLimitsOf(account(), defaults)).toBeNull();
  });

  it("when the account raises its rate, the burst is at least one second of it", () => {
    expect(accountLimitsOf(account({ accountRatePerSec: 50_000 }), defaults)).toEqual({
      ratePerSec: 50_000,
      burst: 50_000,
    });
    expect(accountLimitsOf(account({ accountBurst: 20 }), defaults)).toEqual({
      ratePerSec: 1_000,
      burst: 20,
    });
  });

  it("when the account raises its IP limit, that becomes its rate and burst", () => {
    expect(ipLimitsOf(account({ ipRatePerSec: 1_000 }), defaults)).toEqual({
      ratePerSec: 1_000,
      burst: 1_000,
    });
    expect(ipLimitsOf(account({ ipRatePerSec: 5 }), defaults)).toEqual({
      ratePerSec: 5,
      burst: 100,
    });
  });
});
