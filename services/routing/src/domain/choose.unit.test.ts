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
    simulated: new Set(),
    test: false,
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

  it("when every candidate is below the floor, the cheapest still gets the message", () => {
    const scores = new Map([
      ["cheap", score(5, 25)],
      ["dear", score(10, 20)],
    ]);
    const choice = chooseCarrier(input({ scores }));
    expect(winner(choice)).toBe("cheap");
    expect(choice.considered.map((c) => c.tier)).toEqual([1, 1]);
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

  it.each(["ÄÖÜ", "Ж", "123-456"])(
    "when the sender %j is not numeric, a numeric-only carrier is excluded for it",
    (sender) => {
      const candidates = [carrier("numeric", 300, 100, false), carrier("names", 500)];
      const choice = chooseCarrier(input({ candidates, sender }));
      expect(winner(choice)).toBe("names");
      expect(choice.considered.map((c) => c.excluded)).toEqual(["sender", undefined]);
    },
  );

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

describe("test accounts and simulators", () => {
  const sims = (...ids: string[]) => new Set(ids);

  it("when a test account's message has a real and a simulated candidate, only the simulator can win", () => {
    const choice = chooseCarrier(input({ test: true, simulated: sims("dear") }));
    expect(winner(choice)).toBe("dear");
    expect(choice.considered).toMatchObject([
      { carrierId: "cheap", simulated: false, excluded: "live_carrier" },
      { carrierId: "dear", simulated: true },
    ]);
    expect(choice.considered[1]?.excluded).toBeUndefined();
  });

  it("when a test account's message has no simulated candidate, there is no choice", () => {
    const choice = chooseCarrier(input({ test: true }));
    expect(choice.kind).toBe("none");
    expect(choice.considered.map((c) => c.excluded)).toEqual(["live_carrier", "live_carrier"]);
  });

  it("when a live message's route has a real carrier, a cheaper simulator is passed over", () => {
    const choice = chooseCarrier(input({ simulated: sims("cheap") }));
    expect(winner(choice)).toBe("dear");
    expect(choice.considered[0]).toMatchObject({ carrierId: "cheap", excluded: "simulator" });
  });

  it("when the route's only real carrier is down or tried, a live message still never goes to a simulator", () => {
    const down = new Map<string, HealthState>([["dear", "down"]]);
    expect(winner(chooseCarrier(input({ simulated: sims("cheap"), health: down })))).toBe("dear");
    const tried = chooseCarrier(input({ simulated: sims("cheap"), tried: ["dear"] }));
    expect(tried.kind).toBe("none");
  });

  it("when a route has simulators only (the local stack), live messages use them", () => {
    expect(winner(chooseCarrier(input({ simulated: sims("cheap", "dear") })))).toBe("cheap");
  });

  it("for any candidates, a test message's winner is a simulator, and a live one's is a simulator only if the route has nothing else", () => {
    const arbitraryCarrier = fc.record({
      carrierId: fc.constantFrom("a", "b", "c", "d"),
      costPerPart: fc.integer({ min: 0, max: 5 }),
      simulated: fc.boolean(),
      health: fc.constantFrom<HealthState>("up", "unknown", "degraded", "down"),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbitraryCarrier, { selector: (c) => c.carrierId, minLength: 1 }),
        fc.boolean(),
        (list, test) => {
          const candidates = list.map((c) => carrier(c.carrierId, c.costPerPart));
          const simulated = new Set<string>(
            list.filter((c) => c.simulated).map((c) => c.carrierId),
          );
          const health = new Map(list.map((c) => [c.carrierId, c.health]));
          const choice = chooseCarrier(input({ candidates, simulated, health, test }));
          const allSimulated = list.every((c) => c.simulated);
          const anySimulated = list.some((c) => c.simulated);
          if (test) expect(choice.kind).toBe(anySimulated ? "chosen" : "none");
          else expect(choice.kind).toBe("chosen");
          if (choice.kind === "chosen") {
            expect(simulated.has(choice.carrierId)).toBe(test || allSimulated);
          }
        },
      ),
    );
  });
});
