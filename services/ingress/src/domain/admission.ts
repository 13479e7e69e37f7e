/**
 * Admission control: is the gateway too far behind to take more sends, and how many to take
 * meanwhile. Pure: the signal, the rates measured and the policy come in as arguments; the
 * handler (`handlers/admission.ts`) measures them once a tick and applies the result.
 *
 * The controller keeps a ceiling on the sends this replica admits per second, additive
 * increase and multiplicative decrease (AIMD), as TCP finds a link's capacity. Open (no
 * ceiling) until the pressure reaches 1; then the ceiling starts at 90 % of what actually got
 * through (sends admitted, or authorize answers, whichever is lower). While the pressure stays
 * at or above 1 and is not falling it halves every second; while under 1 it probes upward,
 * by a tenth a second, faster (by half a second) once the pressure is under `resumeBelow`;
 * and once it no longer binds (well above what is offered) with the pressure under
 * `resumeBelow`, admission opens. Probing whenever under the bound is what keeps the ceiling
 * at what the gateway carries, not at wherever the first shrink left it. Rates scale with
 * the tick's length.
 */

/** What the gateway looks like now, measured by the handler. */
export interface AdmissionSignal {
  /** Age of the oldest message waiting in a durable on the delivery path (ms); 0 when none waits. */
  backlogAgeMs: number;
  /** Authorize requests in flight at this replica. */
  authorizeInFlight: number;
  /** Recent authorize latency at this replica (ms, a moving average). */
  authorizeLatencyMs: number;
  /**
   * How late this replica's event loop ran its timers over the last tick (ms, p99): past a
   * few tens of ms every answer waits, refusals included, so that is shed first.
   */
  loopDelayMs: number;
}

export interface AdmissionPolicy {
  /**
   * The operator's bound: accepted messages reach a carrier within this (ms). Shedding starts
   * when the oldest waiting message is half of it old, leaving the other half for the stages
   * after it.
   */
  maxDelayMs: number;
  /** Authorize requests in flight at this replica at which it sheds. */
  maxAuthorizeInFlight: number;
  /** Authorize latency (moving average, ms) at which it sheds. */
  maxAuthorizeLatencyMs: number;
  /** Event-loop delay (p99 over a tick, ms) at which it sheds. */
  maxLoopDelayMs: number;
  /** Shedding ends (the ceiling grows back) once the pressure is below this. */
  resumeBelow: number;
  /** The ceiling never goes below this many sends per second at this replica. */
  minRatePerSec: number;
}

export const DEFAULT_ADMISSION_POLICY: AdmissionPolicy = {
  maxDelayMs: 10_000,
  maxAuthorizeInFlight: 500,
  maxAuthorizeLatencyMs: 100,
  maxLoopDelayMs: 50,
  resumeBelow: 0.5,
  minRatePerSec: 50,
};

export const SHED_REASONS = [
  "backlog",
  "authorize_in_flight",
  "authorize_latency",
  "loop_delay",
] as const;
export type ShedReason = (typeof SHED_REASONS)[number];

export interface Pressure {
  /** 1 is the bound; above 1 the gateway is past it. */
  value: number;
  /** The signal that gave the value. */
  reason: ShedReason;
}

/** The highest of the signals, each as a share of its limit. */
export function pressureOf(signal: AdmissionSignal, policy: AdmissionPolicy): Pressure {
  const candidates: Pressure[] = [
    { value: signal.backlogAgeMs / (policy.maxDelayMs / 2), reason: "backlog" },
    {
      value: signal.authorizeInFlight / policy.maxAuthorizeInFlight,
      reason: "authorize_in_flight",
    },
    {
      value: signal.authorizeLatencyMs / policy.maxAuthorizeLatencyMs,
      reason: "authorize_latency",
    },
    { value: signal.loopDelayMs / policy.maxLoopDelayMs, reason: "loop_delay" },
  ];
  let worst = candidates[0] as Pressure;
  for (const candidate of candidates) if (candidate.value > worst.value) worst = candidate;
  return worst;
}

export type AdmissionState =
  | { shedding: false; pressure: Pressure }
  | {
      shedding: true;
      pressure: Pressure;
      /** Sends per second this replica admits, all accounts together. */
      ceilingPerSec: number;
    };

export const OPEN: AdmissionState = { shedding: false, pressure: { value: 0, reason: "backlog" } };

/** What this replica saw during the last tick (per second), and how long the tick was. */
export interface Rates {
  offeredPerSec: number;
  admittedPerSec: number;
  /** Authorize answers received: what pricing actually got through. */
  answeredPerSec: number;
  elapsedSec: number;
}

/** On entering shedding, the ceiling is this share of what got through. */
const START_AT = 0.9;
/** Per second: while past the bound and not improving; while under it; while well under it. */
const SHRINK_PER_SEC = 0.5;
const PROBE_PER_SEC = 1.1;
const GROW_PER_SEC = 1.5;

/** The next state of the controller, one tick later. */
export function nextAdmission(
  state: AdmissionState,
  signal: AdmissionSignal,
  rates: Rates,
  policy: AdmissionPolicy,
): AdmissionState {
  const pressure = pressureOf(signal, policy);
  const floor = policy.minRatePerSec;
  if (!state.shedding) {
    if (pressure.value < 1) return { shedding: false, pressure };
    const through = Math.min(rates.admittedPerSec, rates.answeredPerSec);
    return { shedding: true, pressure, ceilingPerSec: Math.max(floor, through * START_AT) };
  }
  let ceiling = state.ceilingPerSec;
  if (pressure.value >= 1) {
    // Past the bound and not getting better: admit less. Getting better: hold.
    if (pressure.value >= state.pressure.value) {
      ceiling = Math.max(floor, ceiling * SHRINK_PER_SEC ** rates.elapsedSec);
    }
  } else if (pressure.value >= policy.resumeBelow) {
    // Under the bound: there may be room. Probe for it, gently.
    ceiling *= PROBE_PER_SEC ** rates.elapsedSec;
  } else {
    ceiling *= GROW_PER_SEC ** rates.elapsedSec;
    // The ceiling no longer binds: everything offered would pass. Open.
    if (ceiling > rates.offeredPerSec * GROW_PER_SEC) return { shedding: false, pressure };
  }
  return { shedding: true, pressure, ceilingPerSec: ceiling };
}
