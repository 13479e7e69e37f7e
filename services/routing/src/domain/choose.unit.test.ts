import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CarrierScore,
  type ChoiceInput,
  chooseCarrier,
  DEFAULT_POLICY,
  type HealthState,
  reliabilityOf,
} from "./choose.ts";
import type { Candidate } from "./route-table.ts";

const carrier = (
  carrierId: string,
  costPerPart: number,
  priority = 100,
  alphanumeric = true,
): Candidate => ({
  carrierId,
  costPerPart,
  priority,
  alphanumeric,
});

function input(overrides: Partial<ChoiceInput>): ChoiceInput {
  return {
    candidates: [carrier("cheap", 300), carrier("dear", 500)],
    sender: "MyApp",
    scores: new Map(),
    health: new Map(),
    tried: [],
    ...overrides,
  };
}

const score = (delivered: number, failed: number): CarrierScore => ({
  delivered,
  failed,
  latencyMs: null,
});
const winner = (choice: ReturnType<typeof chooseCarrier>) =>
  choice.kind === "chosen" ? choice.carrierId : undefined;

describe("route choice", () => {
  it("when both carriers are healthy and reliable, the cheaper wins", () => {
    const scores = new Map([
      ["cheap", score(95, 5)],
      ["dear", score(99, 1)],
    ]);
    expect(winner(chooseCarrier(input({ scores })))).toBe("cheap");
  });

  it("when a carrier has no receipts yet, it gets the neutral prior and can win on cost", () => {
    const choice = chooseCarrier(input({ scores: new Map([["dear", score(100, 0)]]) }));
    expect(winner(choice)).toBe("cheap");
    expect(choice.considered[0]).toMatchObject({
      carrierId: "cheap",
      reliability: 0.9,
      samples: 0,
      tier: 0,
    });
    expect(reliabilityOf(undefined, DEFAULT_POLICY)).toBe(DEFAULT_POLICY.prior);
  });

  it("when the cheaper one's delivery ratio falls below the floor, the dearer one wins", () => {
    const scores = new Map([["cheap", score(10, 20)]]);
    const choice = chooseCarrier(input({ scores }));
    expect(winner(choice)).toBe("dear");
    expect(choice.considered.find((c) => c.carrierId === "cheap")?.tier).toBe(1);
  });

  it("when costs tie, the operator's priority decides, then reliability, then the id", () => {
    const candidates = [carrier("b", 300, 20), carrier("a", 300, 10)];
    expect(winner(chooseCarrier(input({ candidates })))).toBe("a");
    const samePriority = [carrier("b", 300), carrier("a", 300)];
    expect(winner(chooseCarrier(input({ candidates: samePriority })))).toBe("a");
    const scores = new Map([
      ["a", score(80, 10)],
      ["b", score(100, 0)],
    ]);
    expect(winner(chooseCarrier(input({ candidates: samePriority, scores })))).toBe("b");
  });

  it("when a carrier's binds are down, it is passed over even if cheaper", () => {
    const health = new Map<string, HealthState>([["cheap", "down"]]);
    expect(winner(chooseCarrier(input({ health })))).toBe("dear");
  });

  it("when a carrier is degraded, a healthy one wins; degraded still beats down", () => {
    const health = new Map<string, HealthState>([["cheap", "degraded"]]);
    expect(winner(chooseCarrier(input({ health })))).toBe("dear");
    const both = new Map<string, HealthState>([
      ["cheap", "degraded"],
      ["dear", "down"],
    ]);
    expect(winner(chooseCarrier(input({ health: both })))).toBe("cheap");
  });

  it("when all candidates are degraded, the least penalised wins, then the cheapest", () => {
    const health = new Map<string, HealthState>([
      ["cheap", "degraded"],
      ["dear", "degraded"],
    ]);
    expect(winner(chooseCarrier(input({ health })))).toBe("cheap");
    const scores = new Map([["cheap", score(0, 30)]]);
    expect(winner(chooseCarrier(input({ health, scores })))).toBe("dear");
    const allDown = new Map<string, HealthState>([
      ["cheap", "down"],
      ["dear", "down"],
    ]);
    expect(winner(chooseCarrier(input({ health: allDown })))).toBe("cheap");
  });

  it("when carriers were tried or cannot carry an alphanumeric sender, they are excluded", () => {
    const candidates = [
      carrier("cheap", 300, 100, false),
      carrier("dear", 500),
      carrier("third", 900),
    ];
    const choice = chooseCarrier(input({ candidates, tried: ["dear"] }));
    expect(winner(choice)).toBe("third");
    expect(choice.considered.map((c) => c.excluded)).toEqual(["sender", "tried", undefined]);
    expect(
      winner(chooseCarrier(input({ candidates, sender: "+3725551234", tried: ["dear"] }))),
    ).toBe("cheap");
  });

  it("when every candidate was tried, there is no choice", () => {
    expect(chooseCarrier(input({ tried: ["cheap", "dear"] })).kind).toBe("none");
  });

  it("whatever the order of the candidates, the same carrier wins (deterministic)", () => {
    const arbitraryCarrier = fc.record({
      carrierId: fc.constantFrom("a", "b", "c", "d"),
      costPerPart: fc.integer({ min: 0, max: 5 }),
      priority: fc.integer({ min: 0, max: 3 }),
      alphanumeric: fc.boolean(),
      delivered: fc.integer({ min: 0, max: 50 }),
      failed: fc.integer({ min: 0, max: 50 }),
      health: fc.constantFrom<HealthState>("up", "unknown", "degraded", "down"),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbitraryCarrier, { selector: (c) => c.carrierId, minLength: 1 }),
        fc.constantFrom("MyApp", "+3725551234"),
        (list, sender) => {
          const scores = new Map(list.map((c) => [c.carrierId, score(c.delivered, c.failed)]));
          const health = new Map(list.map((c) => [c.carrierId, c.health]));
          const candidates = list.map((c) =>
            carrier(c.carrierId, c.costPerPart, c.priority, c.alphanumeric),
          );
          const forward = chooseCarrier(input({ candidates, scores, health, sender }));
          const backward = chooseCarrier(
            input({ candidates: [...candidates].reverse(), scores, health, sender }),
          );
          expect(winner(forward)).toBe(winner(backward));
          if (forward.kind === "chosen") {
            const chosen = candidates.find((c) => c.carrierId === forward.carrierId);
            expect(sender === "MyApp" && chosen?.alphanumeric === false).toBe(false);
          }
        },
      ),
    );
  });
});
