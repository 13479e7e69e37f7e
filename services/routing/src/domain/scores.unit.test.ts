import { type CarrierHealth, emptyScoreCounts, type ScoreCounts } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { chooseCarrier } from "./choose.ts";
import {
  carrierConcats,
  combineHealth,
  scoreIndex,
  scoreSnapshot,
  simulatedCarriers,
} from "./scores.ts";

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

/** One replica's counts of a carrier under one key in the slot starting at `at` (1 s slots). */
function counted(
  carrierId: string,
  replica: string,
  counts: Array<Partial<ScoreCounts> & { key: string; at: number }>,
): CarrierHealth {
  return health(carrierId, replica, {
    countSlotMs: 1_000,
    counts: counts.map((c) => ({ ...emptyScoreCounts(c.key, c.at), ...c })),
  });
}

describe("scores from the connectors' counts", () => {
  it("when replicas count the same carrier and key, their counts are summed; refusals count as failures", () => {
    const index = scoreIndex(
      [
        counted("sim-a", "r1", [
          { key: "EE", at: T0, delivered: 3, undelivered: 1, latencyMsSum: 300, latencyCount: 2 },
        ]),
        counted("sim-a", "r2", [
          { key: "EE", at: T0, delivered: 1, submitFailures: 2, latencyMsSum: 60, latencyCount: 1 },
          { key: "LV", at: T0, delivered: 1 },
        ]),
      ],
      T0 + 500,
      10_000,
    );
    expect(index.get("EE")?.get("sim-a")).toEqual({ delivered: 4, failed: 3, latencyMs: 120 });
    expect(index.get("LV")?.get("sim-a")).toEqual({ delivered: 1, failed: 0, latencyMs: null });
  });

  it("when a slot has left the window, its counts no longer count", () => {
    const records = [
      counted("sim-a", "r1", [
        { key: "EE", at: T0, undelivered: 1 },
        { key: "EE", at: T0 + 8_000, delivered: 1 },
      ]),
    ];
    expect(
      scoreIndex(records, T0 + 9_000, 10_000)
        .get("EE")
        ?.get("sim-a"),
    ).toMatchObject({
      delivered: 1,
      failed: 1,
    });
    expect(
      scoreIndex(records, T0 + 12_000, 10_000)
        .get("EE")
        ?.get("sim-a"),
    ).toMatchObject({
      delivered: 1,
      failed: 0,
    });
    expect(scoreIndex(records, T0 + 30_000, 10_000).size).toBe(0);
  });

  it("when a record has only submits, the carrier has no score (the prior applies)", () => {
    const index = scoreIndex(
      [counted("sim-a", "r1", [{ key: "EE", at: T0, submits: 5 }])],
      T0,
      10_000,
    );
    expect(index.size).toBe(0);
  });

  it("when the admin API asks, every key's scores come as plain objects", () => {
    const index = scoreIndex(
      [counted("sim-a", "r1", [{ key: "EE", at: T0, delivered: 2 }])],
      T0,
      10_000,
    );
    expect(scoreSnapshot(index)).toEqual({
      EE: { "sim-a": { delivered: 2, failed: 0, latencyMs: null } },
    });
  });
});

describe("recovery of a demoted carrier", () => {
  // The cheap carrier fails, is demoted, and then gets no traffic at all: its failures
  // leave the window and it is back at the prior, so the next message probes it.
  const candidates = [
    { carrierId: "cheap", costPerPart: 300, priority: 100, alphanumeric: true },
    { carrierId: "dear", costPerPart: 500, priority: 100, alphanumeric: true },
  ];
  const choose = (records: CarrierHealth[], nowMs: number) =>
    chooseCarrier({
      candidates,
      sender: "MyApp",
      scores: scoreIndex(records, nowMs, 10_000).get("EE") ?? new Map(),
      health: new Map(),
      simulated: new Set(),
      test: false,
      tried: [],
    });

  it("when its failures leave the window, it wins again; if it still fails, two more failures demote it again", () => {
    const failures = [{ key: "EE", at: T0, undelivered: 2 }];
    const cheap = (more: Array<{ key: string; at: number; undelivered: number }> = []) =>
      counted("cheap", "r1", [...failures, ...more]);
    const dear = counted("dear", "r1", [{ key: "EE", at: T0 + 5_000, delivered: 1 }]);
    expect(choose([cheap()], T0 + 200)).toMatchObject({ carrierId: "dear" });
    // Still inside the window (1 s slots, 10 s): demoted, whatever "dear" does meanwhile.
    expect(choose([cheap(), dear], T0 + 9_900)).toMatchObject({ carrierId: "dear" });
    // The slot holding both failures has left the window: back to the prior, it wins.
    const probe = choose([cheap(), dear], T0 + 11_000);
    expect(probe).toMatchObject({ carrierId: "cheap" });
    expect(probe.considered[0]).toMatchObject({ reliability: 0.9, samples: 0, tier: 0 });
    // Still broken: the probes fail and it is demoted again after the same bounded number.
    const one = [{ key: "EE", at: T0 + 11_000, undelivered: 1 }];
    expect(choose([cheap(one), dear], T0 + 11_100)).toMatchObject({ carrierId: "cheap" });
    const two = [{ key: "EE", at: T0 + 11_000, undelivered: 2 }];
    expect(choose([cheap(two), dear], T0 + 11_200)).toMatchObject({ carrierId: "dear" });
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

describe("carriers' concatenation styles", () => {
  it("when records state a style, the newest that states one decides; a carrier none names is unknown", () => {
    const older = new Date(T0 - 1_000).toISOString();
    const newer = new Date(T0).toISOString();
    const records = [
      health("a", "r1", { concat: "udh8", updatedAt: older }),
      health("a", "r2", { concat: "udh16", updatedAt: newer }),
      health("b", "r1", { concat: "sar", updatedAt: older }),
      health("b", "r2", { updatedAt: newer }), // a connector from before the field
      health("c", "r1"),
    ];
    expect(Object.fromEntries(carrierConcats(records))).toEqual({ a: "udh16", b: "sar" });
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

  it("when a replica says the carrier left its submits unanswered (a wedged SMSC), the carrier is degraded", () => {
    const states = combineHealth(
      [health("a", "r1", { unresponsive: true }), health("a", "r2"), health("b", "r1")],
      T0,
    );
    expect(states.get("a")).toBe("degraded");
    expect(states.get("b")).toBe("up");
  });

  it("when a record is stale or missing, the carrier is unknown (absent)", () => {
    const states = combineHealth([health("a", "r1", { bindsUp: 0 })], T0 + 120_000);
    expect(states.has("a")).toBe(false);
  });
});
