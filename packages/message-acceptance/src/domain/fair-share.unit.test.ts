import { describe, expect, it } from "vitest";
import { type Demand, fairCaps } from "./fair-share.ts";

const demand = (accountId: string, amount: number, weight = 1_000): Demand => ({
  accountId,
  amount,
  weight,
});

describe("fairCaps", () => {
  it("when everything offered fits in the capacity, nobody is capped", () => {
    expect(fairCaps([demand("a", 100), demand("b", 50)], 200).size).toBe(0);
  });

  it("when one account floods, it alone is capped, at what the quiet ones leave", () => {
    const caps = fairCaps([demand("flood", 5_000), demand("quiet", 10)], 300);
    expect([...caps]).toEqual([["flood", 290]]);
  });

  it("when two accounts both exceed their share, they split the capacity by their limits", () => {
    const caps = fairCaps([demand("big", 5_000, 3_000), demand("small", 5_000, 1_000)], 400);
    expect(caps.get("big")).toBeCloseTo(300);
    expect(caps.get("small")).toBeCloseTo(100);
  });

  it("when an account's demand is under its weighted share, it is served in full and the rest is shared", () => {
    // Shares of 600 by weight 1:1:1 are 200 each; "c" needs 50, so "a" and "b" split 550.
    const caps = fairCaps([demand("a", 1_000), demand("b", 400), demand("c", 50)], 600);
    expect(caps.has("c")).toBe(false);
    expect(caps.get("a")).toBeCloseTo(275);
    expect(caps.get("b")).toBeCloseTo(275);
  });

  it("when the capacity is zero, every account that offered anything is capped at zero", () => {
    expect([...fairCaps([demand("a", 1), demand("b", 0)], 0)]).toEqual([["a", 0]]);
  });
});
