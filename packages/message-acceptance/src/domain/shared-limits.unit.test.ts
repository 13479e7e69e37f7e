import { describe, expect, it } from "vitest";
import { createSharedRateLimiter } from "./shared-limits.ts";

const limits = { ratePerSec: 1, burst: 10 };

/** A stand-in for the shared store: one token bucket per key, fed by reports (time frozen). */
function sharedStore() {
  const tokens = new Map<string, number>();
  return (usage: ReturnType<ReturnType<typeof createSharedRateLimiter>["report"]>) => {
    for (const { key, used, burst } of usage) tokens.set(key, (tokens.get(key) ?? burst) - used);
    return new Map(usage.map(({ key }) => [key, tokens.get(key) as number]));
  };
}

describe("createSharedRateLimiter", () => {
  it("when no report has been made, it decides locally like a token bucket, with no round trip", () => {
    const limiter = createSharedRateLimiter(limits);
    const allowed = Array.from({ length: 12 }, () => limiter.take("acct", 0).allowed);
    expect(allowed.filter(Boolean)).toHaveLength(10);
  });

  it("when it reports, it reports the keys it took from with their counts and limits, sorted, and refreshes the others in use", () => {
    const limiter = createSharedRateLimiter(limits);
    limiter.take("b", 0);
    limiter.take("a", 0, undefined, 3);
    expect(limiter.report(0)).toEqual([
      { key: "a", used: 3, ratePerSec: 1, burst: 10 },
      { key: "b", used: 1, ratePerSec: 1, burst: 10 },
    ]);
    limiter.settle(
      new Map([
        ["a", 7],
        ["b", 9],
      ]),
      0,
    );
    // Nothing taken since, but both are in use: they are refreshed with a count of zero.
    expect(limiter.report(0).map((u) => u.used)).toEqual([0, 0]);
    // Refilled to the burst and nothing taken: nothing to report.
    expect(limiter.report(60_000)).toEqual([]);
  });

  it("when two replicas share a key, each refuses once the reports show the burst spent between them", () => {
    const store = sharedStore();
    const a = createSharedRateLimiter(limits);
    const b = createSharedRateLimiter(limits);
    for (let i = 0; i < 6; i++) expect(a.take("acct", 0).allowed).toBe(true);
    for (let i = 0; i < 4; i++) expect(b.take("acct", 0).allowed).toBe(true);
    a.settle(store(a.report(0)), 0);
    b.settle(store(b.report(0)), 0);
    // Ten taken between them: the shared bucket is empty, and both replicas know it.
    expect(b.take("acct", 0)).toEqual({ allowed: false, retryAfterSec: 1 });
    a.settle(store(a.report(0)), 0);
    expect(a.take("acct", 0).allowed).toBe(false);
  });

  it("when other replicas took more than the burst in one interval, the debt is repaid before it admits again", () => {
    const limiter = createSharedRateLimiter(limits);
    limiter.take("acct", 0);
    limiter.report(0);
    limiter.settle(new Map([["acct", -5]]), 0);
    expect(limiter.take("acct", 0)).toEqual({ allowed: false, retryAfterSec: 6 });
    expect(limiter.take("acct", 6_000).allowed).toBe(true);
  });

  it("when it took more while the report was on its way, those count against the shared tokens", () => {
    const limiter = createSharedRateLimiter(limits);
    limiter.take("acct", 0);
    limiter.report(0);
    limiter.take("acct", 0, undefined, 2);
    limiter.settle(new Map([["acct", 3]]), 0);
    expect(limiter.take("acct", 0).allowed).toBe(true);
    expect(limiter.take("acct", 0).allowed).toBe(false);
    expect(limiter.report(0)).toEqual([{ key: "acct", used: 3, ratePerSec: 1, burst: 10 }]);
  });

  it("when a report fails, its counts go into the next one", () => {
    const limiter = createSharedRateLimiter(limits);
    limiter.take("acct", 0, undefined, 2);
    limiter.report(0);
    limiter.take("acct", 0);
    limiter.abandon();
    expect(limiter.report(0)).toEqual([{ key: "acct", used: 3, ratePerSec: 1, burst: 10 }]);
  });

  it("when a bucket still owes a report, the sweep keeps it; once reported and refilled, it forgets it", () => {
    const limiter = createSharedRateLimiter(limits, { sweepEveryMs: 0 });
    limiter.take("acct", 0);
    limiter.take("other", 60_000);
    expect(limiter.size).toBe(2);
    limiter.settle(new Map(limiter.report(60_000).map((u) => [u.key, 10])), 60_000);
    limiter.take("other", 120_000);
    expect(limiter.size).toBe(1);
  });

  it("when more keys are in use than a report holds, they are reported in turn, none left behind", () => {
    const limiter = createSharedRateLimiter(limits);
    for (const key of ["a", "b", "c"]) limiter.take(key, 0);
    const first = limiter.report(0, 2).map((u) => u.key);
    limiter.settle(new Map(first.map((key) => [key, 9])), 0);
    const second = limiter.report(0, 2).map((u) => u.key);
    expect(first).toEqual(["a", "b"]);
    expect(second).toContain("c");
  });
});
