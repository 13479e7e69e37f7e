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
  maxLoopDelayMs: 50,
  resumeBelow: 0.5,
  minRatePerSec: 10,
};

const calm: AdmissionSignal = {
  backlogAgeMs: 0,
  authorizeInFlight: 0,
  authorizeLatencyMs: 2,
  loopDelayMs: 5,
};
const backlog = (ageMs: number): AdmissionSignal => ({ ...calm, backlogAgeMs: ageMs });
/** One second's tick: offered, admitted and answered per second (answered = admitted by default). */
const rates = (
  offeredPerSec: number,
  admittedPerSec = offeredPerSec,
  answeredPerSec = admittedPerSec,
) => ({
  offeredPerSec,
  admittedPerSec,
  answeredPerSec,
  elapsedSec: 1,
});

/** Runs the controller over a sequence of one-second ticks. */
function run(state: AdmissionState, ticks: Array<[AdmissionSignal, number, number?, number?]>) {
  const states: AdmissionState[] = [];
  for (const [signal, offered, admitted, answered] of ticks) {
    state = nextAdmission(state, signal, rates(offered, admitted, answered), policy);
    states.push(state);
  }
  return states;
}

describe("pressureOf", () => {
  it("when the oldest waiting message is half the bound old, the pressure is 1 (backlog)", () => {
    expect(pressureOf(backlog(5_000), policy)).toEqual({ value: 1, reason: "backlog" });
  });

  it("when several signals are up, the highest share of its limit names the reason", () => {
    const signal = {
      backlogAgeMs: 2_500,
      authorizeInFlight: 80,
      authorizeLatencyMs: 300,
      loopDelayMs: 20,
    };
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

  it("when the backlog reaches half the bound, it sheds at 90 % of what got through", () => {
    const [state] = run(OPEN, [[backlog(5_000), 1_000, 500]]);
    expect(state).toMatchObject({ shedding: true, ceilingPerSec: 450 });
  });

  it("when pricing answers fewer than were admitted, the ceiling starts from pricing's rate", () => {
    const [state] = run(OPEN, [[{ ...calm, authorizeLatencyMs: 1_500 }, 2_000, 1_000, 300]]);
    expect(state).toMatchObject({
      shedding: true,
      pressure: { reason: "authorize_latency" },
      ceilingPerSec: 270,
    });
  });

  it("when the pressure stays past the bound and does not fall, the ceiling halves every second down to the floor, not below", () => {
    const states = run(OPEN, [
      [backlog(6_000), 1_000, 100],
      [backlog(7_000), 1_000],
      [backlog(8_000), 1_000],
      [backlog(9_000), 1_000],
      [backlog(9_500), 1_000],
    ]);
    const ceilings = states.map((s) => (s.shedding ? s.ceilingPerSec : Number.NaN));
    expect(ceilings).toEqual([90, 45, 22.5, 11.25, 10]);
  });

  it("when a tick is shorter, the ceiling moves by that share of a second's change", () => {
    const shedding: AdmissionState = {
      shedding: true,
      pressure: { value: 1.2, reason: "backlog" },
      ceilingPerSec: 400,
    };
    const next = nextAdmission(
      shedding,
      backlog(6_000),
      { offeredPerSec: 1_000, admittedPerSec: 400, answeredPerSec: 400, elapsedSec: 0.5 },
      policy,
    );
    expect(next.shedding && next.ceilingPerSec).toBeCloseTo(400 * Math.SQRT1_2);
  });

  it("when the pressure is past the bound but falling, it holds the ceiling", () => {
    const states = run(OPEN, [
      [backlog(8_000), 1_000, 500],
      [backlog(7_000), 1_000],
    ]);
    expect(states.map((s) => s.shedding && s.ceilingPerSec)).toEqual([450, 450]);
  });

  it("when the pressure is between resumeBelow and 1, it keeps shedding and probes upward by a tenth a second (no flapping, no settling below capacity)", () => {
    const states = run(OPEN, [
      [backlog(6_000), 1_000, 500],
      [backlog(4_000), 1_000],
      [backlog(3_000), 1_000],
    ]);
    expect(states.every((s) => s.shedding)).toBe(true);
    expect(states.map((s) => s.shedding && Math.round(s.ceilingPerSec))).toEqual([450, 495, 545]);
  });

  it("when probing takes it past the bound again, it halves: the ceiling oscillates around what the gateway carries", () => {
    const states = run(OPEN, [
      [backlog(6_000), 1_000, 500],
      [backlog(4_000), 1_000],
      [backlog(6_000), 1_000],
    ]);
    expect(states.map((s) => s.shedding && Math.round(s.ceilingPerSec))).toEqual([450, 495, 248]);
  });

  it("when this replica's event loop runs late, it sheds on that signal alone", () => {
    const [state] = run(OPEN, [[{ ...calm, loopDelayMs: 80 }, 2_000, 1_000]]);
    expect(state).toMatchObject({ shedding: true, pressure: { reason: "loop_delay" } });
  });

  it("when the pressure drops under resumeBelow, the ceiling grows back gradually and opens once it no longer binds", () => {
    const states = run(OPEN, [
      [backlog(6_000), 400, 400],
      [backlog(1_000), 400],
      [backlog(1_000), 400],
      [backlog(1_000), 400],
    ]);
    const ceilings = states.map((s) => (s.shedding ? s.ceilingPerSec : "open"));
    expect(ceilings).toEqual([360, 540, "open", "open"]);
  });

  it("when authorize requests pile up at this replica, it sheds on that signal alone", () => {
    const [state] = run(OPEN, [[{ ...calm, authorizeInFlight: 150 }, 2_000, 1_000]]);
    expect(state).toMatchObject({
      shedding: true,
      pressure: { reason: "authorize_in_flight" },
      ceilingPerSec: 900,
    });
  });
});
