import { describe, expect, it } from "vitest";
import { recordCompleteUntil, refundAgeMs } from "./sweep.ts";

describe("the refund sweep's cut-off", () => {
  const now = 1_000_000;
  it("when the event store's record is complete until now, charges older than the grace period are decided", () => {
    expect(refundAgeMs({ now, graceMs: 300_000, caughtUpTo: now })).toBe(300_000);
  });
  it("when the record lags a minute behind, only charges older than grace before its end are decided", () => {
    expect(refundAgeMs({ now, graceMs: 300_000, caughtUpTo: now - 60_000 })).toBe(360_000);
  });
  it("when the record's progress is unknown, nothing is decided", () => {
    expect(refundAgeMs({ now, graceMs: 300_000, caughtUpTo: null })).toBeNull();
  });
});

describe("how far the event store's record is complete", () => {
  const now = 1_000_000;
  it("when nothing is pending or unacked, until the moment of asking", () => {
    expect(recordCompleteUntil({ now, pending: 0, ackPending: 0, floorStoredAt: null })).toBe(now);
  });
  it("when events wait or are in flight, until the ack floor's stored time", () => {
    const floor = now - 5_000;
    expect(recordCompleteUntil({ now, pending: 12, ackPending: 0, floorStoredAt: floor })).toBe(
      floor,
    );
    expect(recordCompleteUntil({ now, pending: 0, ackPending: 3, floorStoredAt: floor })).toBe(
      floor,
    );
  });
  it("when events wait and the floor's time is unknown (nothing acked, or its message erased), it is unknown", () => {
    expect(recordCompleteUntil({ now, pending: 1, ackPending: 0, floorStoredAt: null })).toBeNull();
  });
});
