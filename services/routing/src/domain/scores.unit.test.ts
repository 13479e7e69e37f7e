import type { CarrierHealth } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { combineHealth, ScoreBook } from "./scores.ts";

const T0 = Date.parse("2026-11-25T10:00:00Z");

function health(
  carrierId: string,
  replica: string,
  overrides: Partial<CarrierHealth> = {},
): CarrierHealth {
  return {
    carrierId,
    replica,
    bindsUp: 2,
    bindsWanted: 2,
    throttled: false,
    recentSubmitErrors: 0,
    recentSubmits: 0,
    updatedAt: new Date(T0).toISOString(),
    ...overrides,
  };
}

describe("score book", () => {
  it("when receipts come in, they are counted per destination key and carrier", () => {
    const book = new ScoreBook(10_000);
    book.record("EE", "sim-a", "delivered", T0, 120);
    book.record("EE", "sim-a", "failed", T0 + 1);
    book.record("LV", "sim-a", "delivered", T0);
    expect(book.scores("EE", T0 + 2).get("sim-a")).toEqual({
      delivered: 1,
      failed: 1,
      latencyMs: 120,
    });
    expect(book.scores("LV", T0 + 2).get("sim-a")).toEqual({
      delivered: 1,
      failed: 0,
      latencyMs: null,
    });
  });

  it("when receipts are older than the window, they no longer count", () => {
    const book = new ScoreBook(10_000);
    book.record("EE", "sim-a", "failed", T0);
    book.record("EE", "sim-a", "delivered", T0 + 8_000);
    expect(book.scores("EE", T0 + 9_000).get("sim-a")).toMatchObject({ delivered: 1, failed: 1 });
    expect(book.scores("EE", T0 + 12_000).get("sim-a")).toMatchObject({ delivered: 1, failed: 0 });
    expect(book.scores("EE", T0 + 30_000).size).toBe(0);
  });
});

describe("carrier health", () => {
  it("when any replica has a bind up, the carrier is up; none of the wanted binds up is down", () => {
    const states = combineHealth(
      [health("a", "r1", { bindsUp: 0 }), health("a", "r2"), health("b", "r1", { bindsUp: 0 })],
      T0,
    );
    expect(states.get("a")).toBe("up");
    expect(states.get("b")).toBe("down");
  });

  it("when throttled or erring on most recent submits, the carrier is degraded", () => {
    const states = combineHealth(
      [
        health("a", "r1", { throttled: true }),
        health("b", "r1", { recentSubmits: 20, recentSubmitErrors: 15 }),
      ],
      T0,
    );
    expect(states.get("a")).toBe("degraded");
    expect(states.get("b")).toBe("degraded");
  });

  it("when a record is stale or missing, the carrier is unknown (absent)", () => {
    const states = combineHealth([health("a", "r1", { bindsUp: 0 })], T0 + 120_000);
    expect(states.has("a")).toBe(false);
  });
});
