import { describe, expect, it } from "vitest";
import { type Bucket, createRateLimiter, isIdle, makeRoom, refill, take } from "./token-bucket.ts";

const perSecond = (ratePerSec: number, burst = ratePerSec) => ({ ratePerSec, burst });

describe("take", () => {
  it("when the bucket has tokens, it allows and takes one", () => {
    const bucket: Bucket = { tokens: 2, at: 0 };
    expect(take(bucket, perSecond(1, 2), 0)).toEqual({ allowed: true });
    expect(bucket.tokens).toBe(1);
  });

  it("when the bucket is empty, it refuses with Retry-After in whole seconds, at least 1", () => {
    const bucket: Bucket = { tokens: 0, at: 0 };
    expect(take(bucket, perSecond(100), 0)).toEqual({ allowed: false, retryAfterSec: 1 });
    expect(take({ tokens: 0, at: 0 }, perSecond(0.25), 0)).toEqual({
      allowed: false,
      retryAfterSec: 4,
    });
  });

  it("when time passes, it refills at the rate up to the burst", () => {
    const limits = perSecond(10, 20);
    expect(refill({ tokens: 0, at: 0 }, limits, 500)).toBe(5);
    expect(refill({ tokens: 0, at: 0 }, limits, 60_000)).toBe(20);
  });

  it("when the clock goes backwards, it does not refill or break", () => {
    const bucket: Bucket = { tokens: 0, at: 1_000 };
    expect(take(bucket, perSecond(10), 500).allowed).toBe(false);
    expect(bucket.at).toBe(1_000);
  });

  it("when 1,000/s with bursts of 10,000: 10,000 pass in one instant, then 1,000 per second", () => {
    const limits = perSecond(1_000, 10_000);
    const bucket: Bucket = { tokens: limits.burst, at: 0 };
    let allowed = 0;
    for (let i = 0; i < 12_000; i++) if (take(bucket, limits, 0).allowed) allowed++;
    expect(allowed).toBe(10_000);
    allowed = 0;
    for (let i = 0; i < 2_000; i++) if (take(bucket, limits, 1_000).allowed) allowed++;
    expect(allowed).toBe(1_000);
  });

  it("when a bucket is full again, it is idle", () => {
    const limits = perSecond(10);
    expect(isIdle({ tokens: 5, at: 0 }, limits, 400)).toBe(false);
    expect(isIdle({ tokens: 5, at: 0 }, limits, 500)).toBe(true);
  });
});

describe("createRateLimiter", () => {
  it("when keys differ, each has its own bucket", () => {
    const limiter = createRateLimiter(perSecond(1));
    expect(limiter.take("a", 0).allowed).toBe(true);
    expect(limiter.take("a", 0).allowed).toBe(false);
    expect(limiter.take("b", 0).allowed).toBe(true);
  });

  it("when 100/s per IP: the 101st request in the same instant is refused", () => {
    const limiter = createRateLimiter(perSecond(100));
    const results = Array.from({ length: 101 }, () => limiter.take("10.0.0.1", 5).allowed);
    expect(results.filter(Boolean)).toHaveLength(100);
    expect(results.at(-1)).toBe(false);
    expect(limiter.take("10.0.0.1", 15).allowed).toBe(true);
  });

  it("when buckets have refilled, a sweep forgets them", () => {
    const limiter = createRateLimiter(perSecond(10), { sweepEveryMs: 1_000 });
    limiter.take("a", 0);
    limiter.take("b", 0);
    expect(limiter.size).toBe(2);
    limiter.take("c", 1_000);
    expect(limiter.size).toBe(1);
  });

  it("when a bucket is still refilling, the sweep keeps it", () => {
    const limiter = createRateLimiter(perSecond(1, 100), { sweepEveryMs: 1_000 });
    for (let i = 0; i < 100; i++) limiter.take("busy", 0);
    limiter.take("other", 5_000);
    expect(limiter.size).toBe(2);
    expect(limiter.take("busy", 5_000).allowed).toBe(true);
  });

  it("when more keys than maxEntries arrive, memory stays bounded", () => {
    const limiter = createRateLimiter(perSecond(1, 5), { maxEntries: 3, sweepEveryMs: 60_000 });
    for (let i = 0; i < 10; i++) limiter.take(`ip${i}`, 0);
    expect(limiter.size).toBe(3);
  });

  it("when a full map of busy keys meets a flood of new keys, each new key costs a bounded number of visits, not a sweep of the map", () => {
    const maxEntries = 1_000;
    const buckets = new Map<string, number>();
    for (let i = 0; i < maxEntries; i++) buckets.set(`busy${i}`, i);
    let visits = 0;
    // Every key is busy: the sweep visits them all and frees none.
    const sweep = () => {
      visits += buckets.size;
    };
    const newKeys = 10_000;
    for (let i = 0; i < newKeys; i++) {
      makeRoom(buckets, maxEntries, sweep);
      buckets.set(`new${i}`, i);
      expect(buckets.size).toBeLessThanOrEqual(maxEntries);
    }
    // One sweep per tenth of the map: about 10 visits per new key (was 1,000).
    expect(visits / newKeys).toBeLessThanOrEqual(11);
    // The oldest keys went first.
    expect(buckets.has("busy0")).toBe(false);
    expect(buckets.has(`new${newKeys - 1}`)).toBe(true);
  });

  it("when the sweep frees enough idle keys, no busy key is forgotten", () => {
    const buckets = new Map<string, string>();
    for (let i = 0; i < 10; i++) buckets.set(`k${i}`, i < 5 ? "idle" : "busy");
    makeRoom(buckets, 10, () => {
      for (const [key, state] of buckets) if (state === "idle") buckets.delete(key);
    });
    expect([...buckets.keys()]).toEqual(["k5", "k6", "k7", "k8", "k9"]);
  });
});

describe("several tokens at once and per-key limits", () => {
  it("when a batch takes more tokens than are left, it is refused whole and told when its size fits", () => {
    const bucket = { tokens: 3, at: 0 };
    const limits = { ratePerSec: 2, burst: 10 };
    expect(take(bucket, limits, 0, 5)).toEqual({ allowed: false, retryAfterSec: 1 });
    expect(bucket.tokens).toBe(3);
    expect(take(bucket, limits, 1_000, 5)).toEqual({ allowed: true });
    expect(bucket.tokens).toBe(0);
  });

  it("when a key has its own limits, its bucket follows them and others keep the defaults", () => {
    const limiter = createRateLimiter({ ratePerSec: 1, burst: 1 });
    const own = { ratePerSec: 1, burst: 3 };
    expect([1, 2, 3, 4].map(() => limiter.take("big", 0, own).allowed)).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect([1, 2].map(() => limiter.take("small", 0).allowed)).toEqual([true, false]);
  });

  it("when api.md's defaults apply, 10,000 pass at once, then 1,000 a second", () => {
    const limiter = createRateLimiter({ ratePerSec: 1_000, burst: 10_000 });
    let passed = 0;
    for (let i = 0; i < 10_001; i++) if (limiter.take("acc", 0).allowed) passed++;
    expect(passed).toBe(10_000);
    let next = 0;
    for (let i = 0; i < 1_001; i++) if (limiter.take("acc", 1_000).allowed) next++;
    expect(next).toBe(1_000);
  });
});
