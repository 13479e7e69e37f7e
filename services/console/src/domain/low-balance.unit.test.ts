import { describe, expect, it } from "vitest";
import { isLowBalance, readThreshold } from "./low-balance.ts";

describe("the low-balance threshold", () => {
  it("when the balance is below it, the console warns; at it or without one, it does not", () => {
    expect(isLowBalance(4_999, 5_000)).toBe(true);
    expect(isLowBalance(5_000, 5_000)).toBe(false);
    expect(isLowBalance(0, null)).toBe(false);
  });

  it("when typed as a decimal (a comma too), it is read in money units; empty clears it", () => {
    expect(readThreshold("5")).toEqual({ ok: true, value: 50_000 });
    expect(readThreshold("0,50")).toEqual({ ok: true, value: 5_000 });
    expect(readThreshold("  ")).toEqual({ ok: true, value: null });
  });

  it("when zero, negative or too precise, it is refused", () => {
    for (const text of ["0", "-1", "0.00001", "five"]) expect(readThreshold(text).ok).toBe(false);
  });
});
