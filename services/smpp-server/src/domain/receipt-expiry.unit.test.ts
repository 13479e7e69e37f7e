import { describe, expect, it } from "vitest";
import { receiptExpiresAt } from "./receipt-expiry.ts";

const HOUR = 3_600_000;
const now = Date.UTC(2026, 11, 6, 12, 0, 0);
const keep = { ttlMs: 72 * HOUR, minKeepMs: HOUR };
const at = (ms: number) => new Date(ms).toISOString();

describe("how long an owed receipt is kept", () => {
  it("when the message's validity ends after the least keep, the receipt is kept until it ends", () => {
    expect(receiptExpiresAt(at(now + 5 * HOUR), now, keep)).toBe(now + 5 * HOUR);
  });

  it("when the validity ends past the TTL, the validity wins (the TTL is for messages without one)", () => {
    expect(receiptExpiresAt(at(now + 100 * HOUR), now, keep)).toBe(now + 100 * HOUR);
  });

  it("when the validity ends sooner than the least keep, or is over (a receipt for an expiry), the receipt is kept the least keep", () => {
    expect(receiptExpiresAt(at(now + 10 * 60_000), now, keep)).toBe(now + HOUR);
    expect(receiptExpiresAt(at(now), now, keep)).toBe(now + HOUR);
    expect(receiptExpiresAt(at(now - 2 * HOUR), now, keep)).toBe(now + HOUR);
  });

  it("when the message has no validity, or one that does not read as a time, the TTL applies", () => {
    expect(receiptExpiresAt(undefined, now, keep)).toBe(now + 72 * HOUR);
    expect(receiptExpiresAt("not a time", now, keep)).toBe(now + 72 * HOUR);
  });
});
