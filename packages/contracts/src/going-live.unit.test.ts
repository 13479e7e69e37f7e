import { describe, expect, it } from "vitest";
import { AccountBalanceLow, balanceLowId } from "./balance-low.ts";
import { ConsoleAccountResponse } from "./console-rpc.ts";
import { LiveRequestForm } from "./going-live.ts";

describe("the going-live and low-balance contracts", () => {
  it("when a pricing from before them answers the console's account request, it still parses", () => {
    const old = {
      outcome: "account",
      account: {
        accountId: "acc_1",
        hash: "h",
        status: "active",
        test: true,
        currency: "EUR",
        balance: 10_000,
      },
    };
    expect(ConsoleAccountResponse.parse(old)).toEqual(old);
  });

  it("when a request's volume is not a whole positive number, it is refused", () => {
    const form = { company: "Acme", useCase: "OTP" };
    expect(LiveRequestForm.safeParse({ ...form, monthlyVolume: 1.5 }).success).toBe(false);
    expect(LiveRequestForm.safeParse({ ...form, monthlyVolume: 1 }).success).toBe(true);
  });

  it("when a warning is made, its id names the account and the crossing charge", () => {
    const eventId = balanceLowId("acc_1", "42");
    expect(eventId).toBe("acc_1:balance_low:42");
    const warning = {
      type: "AccountBalanceLow",
      version: 1,
      eventId,
      accountId: "acc_1",
      balance: 10,
      currency: "EUR",
      threshold: 100,
      callbackUrl: null,
      occurredAt: "2026-12-06T05:00:00.000Z",
    };
    expect(AccountBalanceLow.parse(warning)).toEqual(warning);
  });
});
