import { describe, expect, it } from "vitest";
import {
  type AdmissionPolicy,
  type AdmissionSignal,
  type AdmissionState,
  expectedInFlight,
  initialAdmission,
  isOverloaded,
  nextAdmission,
  pressureOf,
  targetLatencyOf,
} from "./admission.ts";

const policy: AdmissionPolicy = {
  maxDelayMs: 10_000,
  targetLatencyMs: 100,
  overloadTargetLatencyMs: 60,
  maxLoopDelayMs: 50,
  minInFlight: 10,
  overloadMinInFlight: 4,
  maxInFlight: 1_000,
};

const calm: AdmissionSignal = { backlogAgeMs: 0, latencyMs: 20, loopDelayMs: 5, refusedShare: 0 };
const latency = (latencyMs: number): AdmissionSignal => ({ ...calm, latencyMs });
const at = (limit: number): AdmissionState => ({
  limit,
  pressure: { value: 0, reason: "latency" },
  overloaded: false,
});

/** Runs the controller over ticks of [signal, peak sends in flight during the tick]. */
function run(state: AdmissionState, ticks: Array<[AdmissionSignal, number]>) {
  return ticks.map(([signal, peak]) => {
    state = nextAdmission(state, signal, peak, policy);
    return state.limit;
  });
}

describe("pressureOf", () => {
  it("when admitted sends take their target latency, the pressure is 1 (latency)", () => {
    expect(pressureOf(latency(100), policy)).toEqual({ value: 1, reason: "latency" });
  });

  it("when the oldest waiting message is half the bound old, the pressure is 1 (backlog)", () => {
    expect(pressureOf({ ...calm, backlogAgeMs: 5_000 }, policy)).toEqual({
      value: 1,
      reason: "backlog",
    });
  });

  it("when several signals are up, the highest share of its bound names the reason", () => {
    const signal = { backlogAgeMs: 2_500, latencyMs: 30, loopDelayMs: 40, refusedShare: 0 };
    expect(pressureOf(signal, policy)).toEqual({ value: 0.8, reason: "loop_delay" });
  });
});

describe("nextAdmission", () => {
  it("starts at the most sends in flight the operator allows", () => {
    expect(initialAdmission(policy).limit).toBe(1_000);
  });

  it("when the load stays within a quarter of the limit or more, it stays where it is, whatever the pressure under the bound", () => {
    expect(
      run(at(200), [
        [calm, 50],
        [latency(90), 150],
      ]),
    ).toEqual([200, 200]);
  });

  it("when the load stays far under the limit, it comes down towards four times the load's peak, a tenth a tick at most, and no lower than the least allowed", () => {
    const limits = run(
      at(1_000),
      Array.from({ length: 30 }, () => [calm, 60] as [AdmissionSignal, number]),
    );
    expect(limits.slice(0, 3)).toEqual([900, 810, 729]);
    expect(limits.at(-1)).toBe(240);
    expect(run(at(100), [[calm, 1]])).toEqual([90]);
    expect(run(at(11), [[calm, 1]])).toEqual([10]);
  });

  it("when a surge follows a calm spell, the limit it meets is near four times the calm load, not the most allowed", () => {
    const calmSpell = Array.from({ length: 30 }, () => [calm, 60] as [AdmissionSignal, number]);
    const [atSurge] = run(at(1_000), calmSpell).slice(-1);
    expect(atSurge).toBe(240);
    // The surge fills it, the latency climbs, and it shrinks from there.
    const [shrunk] = run(at(240), [[latency(400), 240]]);
    expect(shrunk).toBeCloseTo(168);
  });

  it("when the load reaches the limit and the pressure is low, it grows by a tenth a tick, up to the most allowed", () => {
    expect(
      run(at(500), [
        [calm, 500],
        [calm, 550],
        [calm, 605],
      ]),
    ).toEqual([550, 605, 665.5]);
    expect(run(at(990), [[calm, 990]])).toEqual([1_000]);
  });

  it("when the load reaches the limit just under the bound, it grows gently (and by one send at least)", () => {
    const [grown] = run(at(500), [[latency(95), 500]]);
    expect(grown).toBeCloseTo(500 * Math.sqrt(100 / 95));
    expect(run(at(20), [[latency(99), 20]])).toEqual([21]);
  });

  it("when past the bound, it shrinks the more the further past: a little just over, at most 30 % a tick", () => {
    const [justOver] = run(at(400), [[latency(110), 400]]);
    expect(justOver).toBeCloseTo(400 * Math.sqrt(100 / 110));
    expect(run(at(400), [[latency(1_000), 400]])).toEqual([280]);
  });

  it("when a surge keeps it past the bound, the limit falls to the least allowed and no lower", () => {
    const limits = run(
      at(1_000),
      Array.from({ length: 20 }, () => [latency(2_000), 1_000]),
    );
    expect(limits.at(-1)).toBe(10);
  });

  it("when the delivery path falls behind, it shrinks on that signal alone", () => {
    const next = nextAdmission(at(300), { ...calm, backlogAgeMs: 8_000 }, 100, policy);
    expect(next.pressure.reason).toBe("backlog");
    expect(next.limit).toBeLessThan(300);
  });

  it("when the latency hovers at its target, the limit holds near where it is instead of ratcheting down", () => {
    const ticks = Array.from(
      { length: 200 },
      (_, i) => [latency(i % 2 === 0 ? 105 : 95), 10_000] as [AdmissionSignal, number],
    );
    const limits = run(at(300), ticks);
    expect(Math.min(...limits)).toBeGreaterThan(250);
  });
});

describe("the overload target", () => {
  const refusing = (refusedShare: number, latencyMs = 80): AdmissionSignal => ({
    ...calm,
    latencyMs,
    refusedShare,
  });
  const overloadedAt = (limit: number): AdmissionState => ({ ...at(limit), overloaded: true });

  it("enters once half of what is offered is refused, and leaves only under a fifth", () => {
    expect(isOverloaded(false, 0.49)).toBe(false);
    expect(isOverloaded(false, 0.5)).toBe(true);
    expect(isOverloaded(true, 0.2)).toBe(true);
    expect(isOverloaded(true, 0.19)).toBe(false);
  });

  it("while overloaded, a latency under the normal target but over the overload target shrinks the limit", () => {
    const calmLoad = nextAdmission(at(400), refusing(0.1), 400, policy);
    expect(calmLoad.overloaded).toBe(false);
    expect(calmLoad.limit).toBeGreaterThan(400);
    const flood = nextAdmission(at(400), refusing(0.8), 400, policy);
    expect(flood.overloaded).toBe(true);
    expect(flood.pressure).toEqual({ value: 80 / 60, reason: "latency" });
    expect(flood.limit).toBeCloseTo(400 * Math.sqrt(60 / 80));
  });

  it("stays overloaded while a fifth or more is refused, so the lower target does not flap", () => {
    const states = [0.6, 0.3, 0.25, 0.1].map((share) =>
      nextAdmission(overloadedAt(200), refusing(share), 200, policy),
    );
    expect(states.map((s) => s.overloaded)).toEqual([true, true, true, false]);
  });

  it("while overloaded, a limit past its target falls below the floor, to the overload floor and no lower", () => {
    const flood = Array.from({ length: 20 }, () => [refusing(0.9, 2_000), 1_000]);
    const limits = run(at(100), flood as Array<[AdmissionSignal, number]>);
    expect(limits.at(-1)).toBe(4);
    expect(run(at(100), [[latency(2_000), 100]]).at(-1)).toBe(70);
    expect(run(at(12), [[latency(2_000), 12]]).at(-1)).toBe(10);
  });

  it("once no longer overloaded, the limit is back at the floor at least", () => {
    const back = nextAdmission(overloadedAt(4), refusing(0.05, 200), 4, policy);
    expect(back.overloaded).toBe(false);
    expect(back.limit).toBe(10);
  });

  it("never aims above the normal target, whatever the operator set for overload", () => {
    expect(targetLatencyOf(true, { ...policy, overloadTargetLatencyMs: 500 })).toBe(100);
    expect(targetLatencyOf(false, policy)).toBe(100);
    expect(targetLatencyOf(true, policy)).toBe(60);
  });
});

describe("expectedInFlight", () => {
  it("is the offered rate times the latency (Little's law), the latency never under 1 ms", () => {
    expect(expectedInFlight(1_000, 50)).toBe(50);
    expect(expectedInFlight(10, 0)).toBe(0.01);
  });
});
