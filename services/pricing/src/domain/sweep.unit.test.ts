import { describe, expect, it } from "vitest";
import { refundAgeMs } from "./sweep.ts";

describe("the refund sweep's cut-off", () => {
  const now = 1_000_000;
  it("when the accepted consumer has caught up, charges older than the grace period are refunded", () => {
    expect(refundAgeMs({ now, graceMs: 300_000, backlog: 0, lastAcceptedAt: 0 })).toBe(300_000);
  });
  it("when acceptances are still queued, only charges older than grace before the newest one read are refunded", () => {
    expect(refundAgeMs({ now, graceMs: 300_000, backlog: 40, lastAcceptedAt: now - 60_000 })).toBe(
      360_000,
    );
  });
  it("when acceptances are queued and none was read yet, nothing is refunded", () => {
    expect(refundAgeMs({ now, graceMs: 300_000, backlog: 40, lastAcceptedAt: 0 })).toBeNull();
  });
});
