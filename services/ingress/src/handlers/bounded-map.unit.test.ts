import { describe, expect, it } from "vitest";
import { mapBounded } from "./bounded-map.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("mapBounded", () => {
  it("when the work is slow, no more than the limit runs at once, and the results keep the items' order", async () => {
    let inFlight = 0;
    let most = 0;
    const items = Array.from({ length: 50 }, (_, i) => i);
    const results = await mapBounded(
      items,
      4,
      async (i) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        // The later items finish first: the order is the items', not the finishing one.
        await sleep(10 - (i % 10));
        inFlight -= 1;
        return i * 2;
      },
      { withinMs: 5_000, late: () => -1 },
    );
    expect(results).toEqual(items.map((i) => i * 2));
    expect(most).toBe(4);
  });

  it("when the time runs out, items not finished are late at once and no more work is begun", async () => {
    const begun: number[] = [];
    const started = Date.now();
    const results = await mapBounded(
      [0, 1, 2, 3, 4, 5],
      2,
      async (i) => {
        begun.push(i);
        await sleep(i < 2 ? 5 : 10_000);
        return "done";
      },
      { withinMs: 100, late: (i) => `late ${i}` },
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(results).toEqual(["done", "done", "late 2", "late 3", "late 4", "late 5"]);
    expect(begun).toEqual([0, 1, 2, 3]);
  });

  it("when there are no items, it answers at once with none", async () => {
    expect(await mapBounded([], 16, async () => 1, { withinMs: 10_000, late: () => 0 })).toEqual(
      [],
    );
  });
});
