import { describe, expect, it } from "vitest";
import { lockedFor, withFailure } from "./throttle.ts";

const rule = { maxFailures: 3, windowMs: 60_000 };

describe("login throttle", () => {
  it("when a key failed fewer times than the limit, it may try again at once", () => {
    let times = withFailure([], 0, rule);
    times = withFailure(times, 1_000, rule);
    expect(lockedFor(times, 2_000, rule)).toBe(0);
  });

  it("when a key reached the limit within the window, it is locked until the oldest failure leaves it", () => {
    let times: number[] = [];
    for (const t of [0, 1_000, 2_000]) times = withFailure(times, t, rule);
    expect(lockedFor(times, 3_000, rule)).toBe(57_000);
    expect(lockedFor(times, 60_000, rule)).toBe(0);
  });

  it("when failures are older than the window, they are forgotten", () => {
    const times = withFailure([0, 1, 2, 3, 4], 100_000, rule);
    expect(times).toEqual([100_000]);
  });
});
