import { describe, expect, it } from "vitest";
import { isFresh, planCarrierLeases, type SlotView, shouldConsume } from "./lease-plan.ts";

const table = (...holders: Array<string | undefined>): SlotView[] =>
  holders.map((holder, index) => ({ index, holder, bound: holder !== undefined }));

/**
 * Replicas taking turns on one shared table, each applying its plan with compare-and-set
 * semantics (a take succeeds only while the slot is still free): the settled holdings.
 */
function settle(binds: number, replicas: string[], start: Array<string | undefined>) {
  const slots: Array<string | undefined> = Array.from({ length: binds }, (_, i) => start[i]);
  for (let round = 0; round < 20; round++) {
    for (const me of replicas) {
      const plan = planCarrierLeases(binds, table(...slots), me, replicas);
      for (const index of plan.release) slots[index] = undefined;
      for (const index of plan.take) {
        const holder = slots[index];
        if (holder === undefined || !replicas.includes(holder)) slots[index] = me;
      }
    }
  }
  const counts = replicas.map((r) => slots.filter((s) => s === r).length);
  return { slots, counts };
}

describe("planCarrierLeases", () => {
  it("when I am alone, I take every slot", () => {
    expect(planCarrierLeases(4, table(), "a", ["a"])).toEqual({ take: [0, 1, 2, 3], release: [] });
  });

  it("when a second replica joins a carrier I hold whole, I give back half and it takes them", () => {
    expect(planCarrierLeases(4, table("a", "a", "a", "a"), "a", ["a", "b"])).toEqual({
      take: [],
      release: [3, 2],
    });
    expect(planCarrierLeases(4, table("a", "a", undefined, undefined), "b", ["a", "b"])).toEqual({
      take: [2, 3],
      release: [],
    });
  });

  it("when the holder of a slot is not live, its slot is free to take", () => {
    expect(planCarrierLeases(2, table("a", "dead"), "a", ["a"])).toEqual({
      take: [1],
      release: [],
    });
  });

  it("when the carrier has fewer binds than before, I give back the slots past the end", () => {
    expect(planCarrierLeases(1, table("a", "a", "a"), "a", ["a"])).toEqual({
      take: [],
      release: [2, 1],
    });
  });

  it("when holdings are 2, 2, 0 of four binds, one of the two gives one back for the third", () => {
    const plan = planCarrierLeases(4, table("a", "a", "b", "b"), "a", ["a", "b", "c"]);
    expect(plan).toEqual({ take: [], release: [1] });
  });

  it("when replicas take turns from any start, holdings settle within one of each other", () => {
    const cases: Array<[number, string[], Array<string | undefined>]> = [
      [4, ["a", "b"], ["a", "a", "a", "a"]],
      [4, ["a", "b", "c"], ["a", "a", "b", "b"]],
      [5, ["a", "b", "c"], []],
      [2, ["a", "b", "c"], ["c", "c"]],
      [1, ["a", "b"], ["b"]],
      [16, ["a", "b", "c", "d", "e"], ["x", "x", "a"]],
    ];
    for (const [binds, replicas, start] of cases) {
      const { slots, counts } = settle(binds, replicas, start);
      expect(slots.every((s) => s !== undefined && replicas.includes(s))).toBe(true);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  it("when one slot is already mine and a newcomer has none, one bind does not move", () => {
    expect(planCarrierLeases(1, table("b"), "b", ["a", "b"])).toEqual({ take: [], release: [] });
    expect(planCarrierLeases(1, table("b"), "a", ["a", "b"])).toEqual({ take: [], release: [] });
  });
});

describe("isFresh and shouldConsume", () => {
  it("when the last write is older than the ttl (server time), the lease is stale", () => {
    expect(isFresh(1_000, 6_000, 5_000)).toBe(true);
    expect(isFresh(1_000, 6_001, 5_000)).toBe(false);
  });

  it("when my bind is up I pull; without one only while nobody has the carrier bound", () => {
    expect(shouldConsume({ boundHere: true, holdsSlot: true, boundElsewhere: true })).toBe(true);
    expect(shouldConsume({ boundHere: false, holdsSlot: true, boundElsewhere: true })).toBe(false);
    expect(shouldConsume({ boundHere: false, holdsSlot: true, boundElsewhere: false })).toBe(true);
    expect(shouldConsume({ boundHere: false, holdsSlot: false, boundElsewhere: false })).toBe(
      false,
    );
  });
});
