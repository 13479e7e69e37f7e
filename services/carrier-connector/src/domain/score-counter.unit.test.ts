import { describe, expect, it } from "vitest";
import { createScoreCounter } from "./score-counter.ts";

const T0 = Date.parse("2026-12-05T10:00:00Z");

describe("score counter", () => {
  it("when submits, refusals and final receipts come in, they are counted per carrier, key and slot", () => {
    const counter = createScoreCounter(10_000, 1_000);
    counter.submitted("sim-a", "EE", T0);
    counter.refused("sim-a", "EE", T0 + 10);
    counter.receipt("sim-a", "EE", true, T0 + 1_500, 400);
    counter.receipt("sim-a", "EE", false, T0 + 1_600);
    counter.receipt("sim-b", "LV", true, T0 + 1_700, 200);
    expect(counter.countsOf("sim-a", T0 + 2_000)).toEqual([
      {
        key: "EE",
        at: T0,
        submits: 1,
        submitFailures: 1,
        delivered: 0,
        undelivered: 0,
        latencyMsSum: 0,
        latencyCount: 0,
      },
      {
        key: "EE",
        at: T0 + 1_000,
        submits: 0,
        submitFailures: 0,
        delivered: 1,
        undelivered: 1,
        latencyMsSum: 400,
        latencyCount: 1,
      },
    ]);
    expect(counter.countsOf("sim-b", T0 + 2_000)).toMatchObject([{ key: "LV", delivered: 1 }]);
    expect(counter.countsOf("sim-c", T0 + 2_000)).toEqual([]);
  });

  it("when a slot has left the window, it is dropped", () => {
    const counter = createScoreCounter(10_000, 1_000);
    counter.refused("sim-a", "EE", T0);
    counter.submitted("sim-a", "EE", T0 + 9_500);
    // A slot counts while any of it is inside the window.
    expect(counter.countsOf("sim-a", T0 + 10_500).map((c) => c.at)).toEqual([T0, T0 + 9_000]);
    expect(counter.countsOf("sim-a", T0 + 11_000).map((c) => c.at)).toEqual([T0 + 9_000]);
  });

  it("when seeded with a record from before a restart, those counts are added to the slots", () => {
    const counter = createScoreCounter(10_000, 1_000);
    counter.submitted("sim-a", "EE", T0 + 100);
    const before = createScoreCounter(10_000, 1_000);
    before.receipt("sim-a", "EE", true, T0, 100);
    counter.seed("sim-a", before.countsOf("sim-a", T0));
    expect(counter.countsOf("sim-a", T0 + 200)).toMatchObject([
      { key: "EE", at: T0, submits: 1, delivered: 1, latencyCount: 1 },
    ]);
  });
});
