import { describe, expect, it } from "vitest";
import { createRecentCounter } from "./recent-counter.ts";
import { isRebind, isThrottle, throttlePauseMs } from "./throttle.ts";
import { createTokenBucket } from "./token-bucket.ts";
import { validUntilFor } from "./validity.ts";

describe("token bucket", () => {
  it("when the burst is spent, the next token is due after 1/rate seconds", () => {
    const bucket = createTokenBucket(10, 2);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(100);
    expect(bucket.take(100)).toBe(0);
  });

  it("when a second passes, it lets `rate` tokens through and no more", () => {
    const bucket = createTokenBucket(50, 1);
    let taken = 0;
    for (let t = 0; t < 1000; t++) if (bucket.take(t) === 0) taken++;
    expect(taken).toBeGreaterThanOrEqual(50);
    expect(taken).toBeLessThanOrEqual(51);
  });

  it("when the rate is 0, it never waits", () => {
    const bucket = createTokenBucket(0);
    for (let i = 0; i < 1000; i++) expect(bucket.take(0)).toBe(0);
  });
});

describe("throttle", () => {
  it("knows the throttle and rebind statuses and pauses longer each time, to 10 s", () => {
    expect(isThrottle(0x58)).toBe(true);
    expect(isThrottle(0x14)).toBe(true);
    expect(isThrottle(0x0b)).toBe(false);
    expect(isRebind(0x04)).toBe(true);
    expect(isRebind(0x58)).toBe(false);
    expect([1, 2, 3, 10].map((n) => throttlePauseMs(n))).toEqual([200, 400, 800, 10_000]);
    // A full queue backs off longer (reference.md: 0x14, "back off longer").
    expect([1, 2, 3, 4].map((n) => throttlePauseMs(n, 0x14))).toEqual([
      2_000, 4_000, 8_000, 10_000,
    ]);
    expect(throttlePauseMs(1, 0x58)).toBe(200);
  });
});

describe("validity", () => {
  it("uses the message's validUntil, else the carrier's default from now", () => {
    const now = new Date("2026-11-25T00:00:00Z");
    expect(validUntilFor("2026-11-25T01:00:00Z", 60, now).toISOString()).toBe(
      "2026-11-25T01:00:00.000Z",
    );
    expect(validUntilFor(null, 3600, now).toISOString()).toBe("2026-11-25T01:00:00.000Z");
  });
});

describe("recent counter", () => {
  it("counts the last minute and forgets what is older", () => {
    const counter = createRecentCounter();
    counter.add(0, 3);
    counter.add(30_000, 2);
    expect(counter.total(30_000)).toBe(5);
    expect(counter.total(65_000)).toBe(2);
    expect(counter.total(200_000)).toBe(0);
  });
});
