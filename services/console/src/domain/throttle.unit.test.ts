import { describe, expect, it } from "vitest";
import { leastWorthKeeping, lockedFor, withAttempt, withoutAttempt } from "./throttle.ts";

const rule = { maxFailures: 3, windowMs: 60_000 };
const attempts = (...at: number[]) =>
  at.reduce<number[]>((t, now) => withAttempt(t, now, rule), []);

describe("attempt throttle", () => {
  it("when a key made fewer attempts than the limit, it may try again at once", () => {
    expect(lockedFor(attempts(0, 1_000), 2_000, rule)).toBe(0);
  });

  it("when a key reached the limit within the window, it is locked until the oldest attempt leaves it", () => {
    const times = attempts(0, 1_000, 2_000);
    expect(lockedFor(times, 3_000, rule)).toBe(57_000);
    expect(lockedFor(times, 60_000, rule)).toBe(0);
  });

  it("when attempts are older than the window, they are forgotten", () => {
    expect(withAttempt([0, 1, 2, 3, 4], 100_000, rule)).toEqual([100_000]);
  });

  it("when attempts are still being decided, they count: the next one waits", () => {
    // Three let through in the same millisecond, none answered yet.
    expect(lockedFor(attempts(5, 5, 5), 5, rule)).toBe(60_000);
  });

  it("when an attempt succeeded, it is taken back and the key may try again", () => {
    const times = withoutAttempt(attempts(0, 1_000, 2_000), 1_000);
    expect(times).toEqual([0, 2_000]);
    expect(lockedFor(times, 3_000, rule)).toBe(0);
  });

  it("when the attempt to take back is no longer kept, nothing else is taken", () => {
    expect(withoutAttempt([1, 2], 7)).toEqual([1, 2]);
  });
});

describe("which key to forget when the table is full", () => {
  const at = (entries: Record<string, number[]>) => Object.entries(entries);
  it("when keys hold different counts, the one with the fewest recent attempts goes first", () => {
    const entries = at({ victim: [1, 2], junk: [3] });
    expect(leastWorthKeeping(entries, 10, rule, new Set())).toBe("junk");
  });

  it("when counts are equal, the key whose last attempt is oldest goes first", () => {
    expect(leastWorthKeeping(at({ a: [5], b: [3] }), 10, rule, new Set())).toBe("b");
  });

  it("when a key's attempts have all left the window, it goes before any counting one", () => {
    const entries = at({ live: [100_000], stale: [1, 2, 3] });
    expect(leastWorthKeeping(entries, 100_001, rule, new Set())).toBe("stale");
  });

  it("when a key was just counted, it is never the one forgotten", () => {
    expect(leastWorthKeeping(at({ fresh: [9], old: [1, 2] }), 10, rule, new Set(["fresh"]))).toBe(
      "old",
    );
    expect(leastWorthKeeping(at({ fresh: [9] }), 10, rule, new Set(["fresh"]))).toBeUndefined();
  });
});
