/**
 * Admission control: how many sends this replica works on at once. Pure: the signal, the load
 * of the last tick and the policy come in as arguments; the handler (`admission/gate.ts`)
 * measures them once a tick (100 ms) and applies the result.
 *
 * The controller keeps a limit on the sends in flight at this replica (admitted, not yet
 * answered), as a concurrency limiter does (TCP Vegas, Netflix's concurrency-limits): a send
 * past the limit is refused at once, so no queue grows in front of pricing and JetStream and
 * an answer never waits behind more than `limit` others. The limit moves with how long the
 * admitted sends take (latency beyond the target means a queue is forming somewhere on the
 * shared machine; while most of what is offered is refused, against a lower target: admitted
 * sends' answers then wait behind the others in flight, and the load lost to refusing a few
 * more is load the gateway could not carry anyway), with the replica's event-loop delay (refusals and answers wait there too),
 * and with how far behind the delivery path is (what is accepted must reach a carrier within
 * the operator's bound): past the bound it shrinks, the more the further past; under it,
 * while the limit is what bounds the load, it grows, the more the further under. A limit far
 * above what the load reaches comes down towards four times the load's peak: left high, it would
 * let the first second of a surge in whole, and that second's answers would wait behind it.
 */

/** What the gateway looks like now, measured by the handler over the last tick. */
export interface AdmissionSignal {
  /** Age of the oldest message waiting in a durable on the delivery path (ms); 0 when none waits. */
  backlogAgeMs: number;
  /**
   * How long admitted sends took, from admission to answer (ms, p90 of those answered during
   * the tick; at least the age of the oldest still in flight).
   */
  latencyMs: number;
  /**
   * How late this replica's event loop ran its timers over the last tick (ms, p99): past a
   * few tens of ms every answer waits, refusals included.
   */
  loopDelayMs: number;
  /** The share of the sends offered over about the last second that were refused (0 to 1). */
  refusedShare: number;
}

export interface AdmissionPolicy {
  /**
   * The operator's bound: accepted messages reach a carrier within this (ms). Shrinking starts
   * when the oldest waiting message is half of it old, leaving the other half for the stages
   * after it.
   */
  maxDelayMs: number;
  /** Admitted sends should be answered within this (p90, ms); past it the limit shrinks. */
  targetLatencyMs: number;
  /**
   * The target while overloaded (most of what is offered refused): lower, since refusing a
   * little more then costs no one a message the gateway could have carried, and every
   * admitted send's answer waits behind the others in flight.
   */
  overloadTargetLatencyMs: number;
  /** Event-loop delay (p99 over a tick, ms) at which the limit shrinks. */
  maxLoopDelayMs: number;
  /** The limit never goes below this many sends in flight at this replica… */
  minInFlight: number;
  /**
   * …except while overloaded, when it may go down to this: past capacity the floor, not the
   * target, sets how long an admitted send waits (Little's law: 64 in flight at 500 sends a
   * second is 128 ms), and the floor is there for a modest load, which overload is not. Too
   * low a floor starves the path: fewer sends in flight than it holds carry less.
   */
  overloadMinInFlight: number;
  /** Nor above this (also where it starts). */
  maxInFlight: number;
}

export const SHED_REASONS = ["backlog", "latency", "loop_delay"] as const;
export type ShedReason = (typeof SHED_REASONS)[number];

export interface Pressure {
  /** 1 is the bound; above 1 the gateway is past it. */
  value: number;
  /** The signal that gave the value. */
  reason: ShedReason;
}

/**
 * Overloaded from when at least half of what is offered is refused (twice what the gateway
 * admits is offered) until less than a fifth is: the gap keeps the lower target from
 * flapping, and a load within capacity, refused a few per cent at the normal target on a
 * noisy box, never enters it.
 */
const OVERLOAD_ENTER_SHARE = 0.5;
const OVERLOAD_LEAVE_SHARE = 0.2;

/** Whether the gateway is overloaded now, given whether it was and the share refused. */
export function isOverloaded(wasOverloaded: boolean, refusedShare: number): boolean {
  return wasOverloaded
    ? refusedShare >= OVERLOAD_LEAVE_SHARE
    : refusedShare >= OVERLOAD_ENTER_SHARE;
}

/** The latency target that applies: the lower overload target while overloaded. */
export function targetLatencyOf(overloaded: boolean, policy: AdmissionPolicy): number {
  return overloaded
    ? Math.min(policy.overloadTargetLatencyMs, policy.targetLatencyMs)
    : policy.targetLatencyMs;
}

/** The least the limit may be: the lower overload floor while overloaded. */
export function floorOf(overloaded: boolean, policy: AdmissionPolicy): number {
  return overloaded ? Math.min(policy.overloadMinInFlight, policy.minInFlight) : policy.minInFlight;
}

/** The highest of the signals, each as a share of its bound. */
export function pressureOf(
  signal: AdmissionSignal,
  policy: AdmissionPolicy,
  overloaded = false,
): Pressure {
  const candidates: Pressure[] = [
    { value: signal.latencyMs / targetLatencyOf(overloaded, policy), reason: "latency" },
    { value: signal.backlogAgeMs / (policy.maxDelayMs / 2), reason: "backlog" },
    { value: signal.loopDelayMs / policy.maxLoopDelayMs, reason: "loop_delay" },
  ];
  let worst = candidates[0] as Pressure;
  for (const candidate of candidates) if (candidate.value > worst.value) worst = candidate;
  return worst;
}

export interface AdmissionState {
  /** Sends in flight this replica admits at once, all accounts together. */
  limit: number;
  pressure: Pressure;
  /** Most of the offered sends are being refused: the overload target applies. */
  overloaded: boolean;
}

export function initialAdmission(policy: AdmissionPolicy): AdmissionState {
  return {
    limit: policy.maxInFlight,
    pressure: { value: 0, reason: "latency" },
    overloaded: false,
  };
}

/** Per tick (100 ms), the most the limit grows, and the least share of it a tick keeps. */
const MOST_GROWTH = 1.1;
const MOST_SHRINK = 0.7;
/** The limit bounds the load once the sends in flight came this close to it. */
const BINDING = 0.9;
/**
 * A limit the load does not reach comes down towards this many times the tick's peak, by at
 * most a tenth a tick (a tick is 100 ms: a lull of a second leaves a third of it): room for the load to grow
 * fourfold between two ticks, or for three ticks past the target (each takes up to 30 %)
 * before it binds, and for the controller to grow it from there while it does. Two and three
 * times measured as well at 3× saturation and refused more below it (docs/performance.md,
 * round 10).
 */
const HEADROOM = 4;
const MOST_DECAY = 0.9;

/**
 * The next state, one tick later. `peakInFlight` is the most sends in flight during the tick:
 * a limit is only worth raising when the load reached it, and only worth keeping near it. The limit moves by the square root
 * of bound ÷ pressure, within −30 % and +10 % a tick: a signal just past its bound takes a
 * little away and one just under gives as much back, so a noisy signal that hovers at the
 * bound holds the limit there instead of ratcheting it down, while a surge shrinks it fast.
 */
export function nextAdmission(
  state: AdmissionState,
  signal: AdmissionSignal,
  peakInFlight: number,
  policy: AdmissionPolicy,
): AdmissionState {
  const overloaded = isOverloaded(state.overloaded, signal.refusedShare);
  const pressure = pressureOf(signal, policy, overloaded);
  const step = Math.min(
    MOST_GROWTH,
    Math.max(MOST_SHRINK, Math.sqrt(1 / Math.max(pressure.value, 1e-6))),
  );
  let limit = state.limit;
  if (step < 1) limit *= step;
  else if (peakInFlight >= limit * BINDING) limit = Math.max(limit + 1, limit * step);
  else limit = Math.min(limit, Math.max(peakInFlight * HEADROOM, limit * MOST_DECAY));
  return {
    limit: Math.min(policy.maxInFlight, Math.max(floorOf(overloaded, policy), limit)),
    pressure,
    overloaded,
  };
}

/** How long a send is expected to stay in flight: the recent latency, never under 1 ms. */
export function expectedInFlight(offeredPerSec: number, latencyMs: number): number {
  return (offeredPerSec * Math.max(1, latencyMs)) / 1000;
}
