import { CommandStatus } from "@smsgw/smpp";
import { describe, expect, it } from "vitest";
import {
  afterBindFailure,
  afterSessionEnded,
  backoffMs,
  DEFAULT_BACKOFF,
  mappingRetryDelayMs,
  unboundRetryDelayMs,
} from "./backoff.ts";

describe("backoffMs", () => {
  it("when failures repeat, the delay doubles up to the cap, jittered in its upper half", () => {
    expect(backoffMs(1, 0)).toBe(500);
    expect(backoffMs(1, 0.999)).toBeCloseTo(1_000, -1);
    expect(backoffMs(3, 0)).toBe(2_000);
    expect(backoffMs(20, 0)).toBe(15_000);
    expect(backoffMs(20, 0.999)).toBeLessThanOrEqual(30_000);
  });
});

describe("afterBindFailure", () => {
  it.each([
    CommandStatus.ESME_RINVPASWD,
    CommandStatus.ESME_RINVSYSID,
    CommandStatus.ESME_RBINDFAIL,
  ])("when the bind is refused with 0x%s, it alerts and retries only slowly", (status) => {
    expect(afterBindFailure({ kind: "refused", commandStatus: status }, 1, 0)).toEqual({
      delayMs: DEFAULT_BACKOFF.refusedRetryMs,
      alert: true,
    });
  });

  it("when the carrier is unreachable, it backs off exponentially without alerting", () => {
    expect(afterBindFailure({ kind: "unreachable" }, 2, 0)).toEqual({
      delayMs: 1_000,
      alert: false,
    });
  });

  it("when the bind is refused for another reason (throttled), it backs off like a network blip", () => {
    const plan = afterBindFailure({ kind: "refused", commandStatus: 0x58 }, 1, 0);
    expect(plan.alert).toBe(false);
  });
});

describe("retry delays", () => {
  it("when a receipt's mapping is missing, it looks again after 50 ms doubling to 2 s", () => {
    expect([1, 2, 3, 10].map(mappingRetryDelayMs)).toEqual([50, 100, 200, 2_000]);
  });
  it("when no session is bound, a routed event comes back after 1 s doubling to 30 s", () => {
    expect([1, 2, 6, 9].map(unboundRetryDelayMs)).toEqual([1_000, 2_000, 30_000, 30_000]);
  });
});

describe("afterSessionEnded", () => {
  it("when sessions keep ending soon after their bind, each counts as a failure and the delay grows", () => {
    const first = afterSessionEnded(10, 0, 0);
    expect(first).toEqual({ failures: 1, delayMs: 500 });
    const second = afterSessionEnded(10, first.failures, 0);
    expect(second).toEqual({ failures: 2, delayMs: 1_000 });
    expect(afterSessionEnded(10, 9, 0)).toEqual({ failures: 10, delayMs: 15_000 });
  });

  it("when the session lasted, the failures start over and it binds again after the shortest delay", () => {
    expect(afterSessionEnded(DEFAULT_BACKOFF.stableSessionMs, 7, 0)).toEqual({
      failures: 0,
      delayMs: 500,
    });
  });
});
