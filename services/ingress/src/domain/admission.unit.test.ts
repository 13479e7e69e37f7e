import { describe, expect, it } from "vitest";
import {
  type AdmissionPolicy,
  type AdmissionSignal,
  type AdmissionState,
  nextAdmission,
  OPEN,
  pressureOf,
} from "./admission.ts";

const policy: AdmissionPolicy = {
  maxDelayMs: 10_000,
  maxAuthorizeInFlight: 100,
  maxAuthorizeLatencyMs: 1_000,
  resumeBelow: 0.5,
  minRatePerSec: 10,
};

const calm: AdmissionSignal = { backlogAgeMs: 0, authorizeInFlight: 0, authorizeLatencyMs: 2 };
const backlog = (ageMs: number): AdmissionSignal => ({ ...calm, backlogAgeMs: ageMs });
const rates = (offeredPerSec: number, admittedPerSec = offeredPerSec) => ({
  offeredPerSec,
  admittedPerSec,
});

/** Runs the controller over a sequence of ticks. */
function run(state: AdmissionState, ticks: Array<[AdmissionSignal, number, number?]>) {
  const states: AdmissionState[] = [];
  for (const [signal, offered, admitted] of ticks) {
    state = nextAdmission(state, signal, rates(offered, admitted), policy);
    states.push(state);
  }
  return states;
}

describe("pressureOf", () => {
  it("when the oldest waiting message is half the bound old, the pressure is 1 (backlog)", () => {
    expect(pressureOf(backlog(5_000), policy)).toEqual({ value: 1, reason: "backlog" });
  });

  it("when several signals are up, the highest share of its limit names the reason", () => {
    const signal = { backlogAgeMs: 2_500, authorizeInFlight: 80, authorizeLatencyMs: 300 };
    expect(pressureOf(signal, policy)).toEqual({ value: 0.8, reason: "authorize_in_flight" });
    expect(pressureOf({ ...signal, authorizeLatencyMs: 1_500 }, policy).reason).toBe(
      "authorize_latency",
    );
  });
});

describe("nextAdmission", () => {
  it("when the gateway keeps up, it stays open", () => {
    const [state] = run(OPEN, [[backlog(4_000), 500]]);
    expect(state?.shedding).toBe(false);
  });

  it("when the backlog reaches half the bound, it sheds below what it admitted", () => {
    const [state] = run(OPEN, [[backlog(5_000), 1_000, 500]]);
    expect(state).toMatchObject({ shedding: true, ceilingPerSec: 350 });
  });

  it("when the pressure stays past the bound and does not fall, the ceiling shrinks to the floor, not below", () => {
    const states = run(OPEN, [
      [backlog(6_000), 1_000, 100],
      [backlog(7_000), 1_000],
      [backlog(8_000), 1_000],
      [backlog(9_000), 1_000],
      [backlog(9_500), 1_000],
      [backlog(9_600), 1_000],
      [backlog(9_700), 1_000],
    ]);
    const ceilings = states.map((s) => (s.shedding ? s.ceilingPerSec : Number.NaN));
    expect(ceilings[0]).toBeCloseTo(70);
    expect(ceilings[1]).toBeCloseTo(49);
    expect(ceilings.at(-1)).toBe(10);
  });

  it("when the pressure is past the bound but falling, it holds the ceiling", () => {
    const states = run(OPEN, [
      [backlog(8_000), 1_000, 500],
      [backlog(7_000), 1_000],
    ]);
    expect(states.map((s) => s.shedding && s.ceilingPerSec)).toEqual([350, 350]);
  });

  it("when the pressure is between resumeBelow and 1, it keeps shedding at the same ceiling (no flapping)", () => {
    const states = run(OPEN, [
      [backlog(6_000), 1_000, 500],
      [backlog(4_000), 1_000],
      [backlog(3_000), 1_000],
    ]);
    expect(states.every((s) => s.shedding)).toBe(true);
    expect(states.map((s) => s.shedding && s.ceilingPerSec)).toEqual([350, 350, 350]);
  });

  it("when the pressure drops under resumeBelow, the ceiling grows back gradually and opens once it no longer binds", () => {
    const states = run(OPEN, [
      [backlog(6_000), 400, 400],
      [backlog(1_000), 400],
      [backlog(1_000), 400],
      [backlog(1_000), 400],
      [backlog(1_000), 400],
    ]);
    const ceilings = states.map((s) => (s.shedding ? Math.round(s.ceilingPerSec) : "open"));
    expect(ceilings).toEqual([280, 350, 438, "open", "open"]);
  });

  it("when authorize requests pile up at this replica, it sheds on that signal alone", () => {
    const [state] = run(OPEN, [[{ ...calm, authorizeInFlight: 150 }, 2_000, 1_000]]);
    expect(state).toMatchObject({
      shedding: true,
      pressure: { reason: "authorize_in_flight" },
      ceilingPerSec: 700,
    });
  });
});
