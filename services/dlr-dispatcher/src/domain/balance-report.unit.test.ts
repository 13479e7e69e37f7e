import type { AccountBalanceLow } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { balanceBody, shouldSendBalance } from "./balance-report.ts";

const warning: AccountBalanceLow = {
  type: "AccountBalanceLow",
  version: 1,
  eventId: "acc_1:balance_low:42",
  accountId: "acc_1",
  balance: 4_580,
  currency: "EUR",
  threshold: 5_000,
  callbackUrl: "https://example.com/hooks",
  occurredAt: "2026-12-06T05:00:00.000Z",
};

describe("a balance webhook", () => {
  it("when built, it carries the type, the balance and threshold as decimals, and when", () => {
    expect(balanceBody(warning)).toEqual({
      type: "balance",
      balance: 0.458,
      currency: "EUR",
      threshold: 0.5,
      occurredAt: "2026-12-06T05:00:00.000Z",
    });
  });

  it("when the account has no default callback URL, it is not sent", () => {
    expect(shouldSendBalance(warning)).toBe(true);
    expect(shouldSendBalance({ ...warning, callbackUrl: null })).toBe(false);
  });
});
