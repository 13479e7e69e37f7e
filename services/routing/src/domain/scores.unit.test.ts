import type { CarrierHealth } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { chooseCarrier } from "./choose.ts";
import { combineHealth, ScoreBook, simulatedCarriers } from "./scores.ts";

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

describe("recovery of a demoted carrier", () => {
  // The cheap carrier fails, is demoted, and then gets no traffic at all: its failures
  // leave the window and it is back at the prior, so the next message probes it.
  const candidates = [
    { carrierId: "cheap", costPerPart: 300, priority: 100, alphanumeric: true },
    { carrierId: "dear", costPerPart: 500, priority: 100, alphanumeric: true },
  ];
  const choose = (book: ScoreBook, nowMs: number) =>
    chooseCarrier({
      candidates,
      sender: "MyApp",
      scores: book.scores("EE", nowMs),
      health: new Map(),
      simulated: new Set(),
      test: false,
      tried: [],
    });

  it("when its failures leave the window, it wins again; if it still fails, two more failures demote it again", () => {
    const book = new ScoreBook(10_000);
    book.record("EE", "cheap", "failed", T0);
    book.record("EE", "cheap", "failed", T0 + 100);
    expect(choose(book, T0 + 200)).toMatchObject({ carrierId: "dear" });
    // Still inside the window (10 slots of 1 s): demoted, whatever "dear" does meanwhile.
    book.record("EE", "dear", "delivered", T0 + 5_000);
    expect(choose(book, T0 + 9_900)).toMatchObject({ carrierId: "dear" });
    // The slot holding both failures has left the window: back to the prior, it wins.
    const probe = choose(book, T0 + 11_000);
    expect(probe).toMatchObject({ carrierId: "cheap" });
    expect(probe.considered[0]).toMatchObject({ reliability: 0.9, samples: 0, tier: 0 });
    // Still broken: the probes fail and it is demoted again after the same bounded number.
    book.record("EE", "cheap", "failed", T0 + 11_000);
    expect(choose(book, T0 + 11_100)).toMatchObject({ carrierId: "cheap" });
    book.record("EE", "cheap", "failed", T0 + 11_100);
    expect(choose(book, T0 + 11_200)).toMatchObject({ carrierId: "dear" });
  });
});

describe("simulated carriers", () => {
  it("when a carrier's newest record says simulated, it is a simulator, however old the record", () => {
    const records = [
      health("a", "r1", { simulated: true, updatedAt: new Date(T0 - 3_600_000).toISOString() }),
      health("b", "r1", { simulated: false }),
      health("c", "r1"),
    ];
    expect([...simulatedCarriers(records)]).toEqual(["a"]);
  });

  it("when replicas disagree, the newest record decides", () => {
    const older = new Date(T0 - 1_000).toISOString();
    const newer = new Date(T0).toISOString();
    const records = [
      health("a", "r1", { simulated: true, updatedAt: older }),
      health("a", "r2", { simulated: false, updatedAt: newer }),
      health("b", "r1", { simulated: false, updatedAt: older }),
      health("b", "r2", { simulated: true, updatedAt: newer }),
    ];
    expect([...simulatedCarriers(records)]).toEqual(["b"]);
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
