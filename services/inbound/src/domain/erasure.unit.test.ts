import { describe, expect, it } from "vitest";
import { erasedAddresses, retentionPlan } from "./erasure.ts";

const NOW = new Date("2026-12-06T12:00:00.000Z");
const daysBefore = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

describe("what stays of an erased inbound message", () => {
  it("when its retention is over, the sender is masked and the account's number stays", () => {
    expect(erasedAddresses({ from: "+37256789045", to: "+37250000001" }, false)).toEqual({
      from: "+3725678****",
      to: "+37250000001",
    });
  });

  it("when the number erased is the recipient, both are masked", () => {
    expect(erasedAddresses({ from: "+37256789045", to: "+37250000001" }, true)).toEqual({
      from: "+3725678****",
      to: "+3725000****",
    });
  });

  it("when it was erased already, erasing again changes nothing", () => {
    const once = erasedAddresses({ from: "+37256789045", to: "+37250000001" }, true);
    expect(erasedAddresses(once, true)).toEqual(once);
  });
});

describe("which inbound messages a retention run erases", () => {
  it("when the operator set an account's days, that account's cutoff is its own and the others' the default", () => {
    const plan = retentionPlan({ defaultDays: 30, accounts: { acc_short: 1, acc_long: 90 } }, NOW);
    expect(plan.defaultCutoff).toEqual(daysBefore(30));
    expect(plan.accounts).toEqual([
      { accountId: "acc_short", cutoff: daysBefore(1) },
      { accountId: "acc_long", cutoff: daysBefore(90) },
    ]);
    // Nothing newer than the shortest retention can be due.
    expect(plan.latestCutoff).toEqual(daysBefore(1));
  });

  it("when no account has its own days, only the default applies", () => {
    const plan = retentionPlan({ defaultDays: 30, accounts: {} }, NOW);
    expect(plan.accounts).toEqual([]);
    expect(plan.latestCutoff).toEqual(daysBefore(30));
  });
});
