import { monitorEventLoopDelay } from "node:perf_hooks";
import type { AccountRecord } from "@smsgw/contracts";
import type { Logger, Messaging } from "@smsgw/service-kit";
import { accountLimitsOf, type DefaultLimits } from "../domain/account-limits.ts";
import {
  type AdmissionPolicy,
  expectedInFlight,
  floorOf,
  initialAdmission,
  nextAdmission,
} from "../domain/admission.ts";
import type { ApiError } from "../domain/api-error.ts";
import { type Backlog, backlogOf, type DurableBacklog } from "../domain/backlog.ts";
import { fairCaps } from "../domain/fair-share.ts";
import { type BacklogProbeDeps, probeBacklog } from "./backlog-probe.ts";
import type { AdmissionConfig } from "./config.ts";
import type { AdmissionMetrics } from "./metrics.ts";

export interface AdmissionDeps extends BacklogProbeDeps {
  policy: AdmissionPolicy;
  defaultLimits: DefaultLimits;
  pollMs: number;
  metrics: AdmissionMetrics;
  log: Logger;
}

/** The answer to a send: the send is in flight until it closes (answered, or the client gone). */
export interface PendingAnswer {
  once(event: "close", listener: () => void): unknown;
}

export interface AdmissionGate {
  /**
   * A send of `count` messages by the account: null when admitted (it counts as in flight
   * until `answer` closes), else the 429 to answer.
   */
  admit(account: AccountRecord, count: number, answer: PendingAnswer): ApiError | null;
  /**
   * The same decision made early, before the send is read: the 429 when `admit` would refuse
   * it now (counted as offered and refused, as `admit` counts), else null and nothing counted
   * (the send comes to `admit` later). What lets a door refuse without the work of a send.
   */
  refuseEarly(account: AccountRecord, count: number): ApiError | null;
  stop(): void;
}

/** Sends in flight an account not seen during the last second may have until its demand is known. */
const UNKNOWN_IN_FLIGHT = 4;
/** Demand is averaged over about this long, so a quiet account's jitter does not look like a flood. */
const DEMAND_WINDOW_MS = 1_000;
const AT_CAPACITY: ApiError = {
  status: "rate_limit",
  message: "the gateway is at capacity; retry after the Retry-After seconds",
  retryAfterSec: 1,
};
/** The controller runs this often: a queue forming is seen within one tick. */
const TICK_MS = 100;
/** The share of the tick's answers under which `latencyMs` lies. */
const LATENCY_QUANTILE = 0.9;
/** Each tick's latency moves the signal this share of the way (about half a second's memory). */
const LATENCY_SMOOTHING = 0.3;

/**
 * Admission control at the door (domain/admission.ts decides, this measures and applies).
 * Every TICK_MS the controller gets the p90 of how long admitted sends took, the event loop's
 * delay and the delivery path's backlog (read every `pollMs`, backlog-probe.ts), and sets the
 * limit of sends in flight. A send past the limit is refused unless its account is under its
 * share of the limit: shares are weighted max-min (fair-share.ts) over each account's demand
 * in flight (its offered rate × the latency), by its rate limit, so a flood is refused first
 * and a quiet account gets through. An account not seen during the last second has at most
 * a few sends in flight until its demand is known. A send costs two map lookups; a refusal no
 * NATS or Postgres call.
 */
export function startAdmission(deps: AdmissionDeps): AdmissionGate {
  const { policy, log, metrics } = deps;
  let state = initialAdmission(policy);
  let durables: DurableBacklog[] = [];
  let backlog: Backlog = { ageMs: 0, durable: null };
  let inFlight = 0;
  let peakInFlight = 0;
  const inFlightBy = new Map<string, number>();
  /** When each send in flight was admitted, oldest first (a Map keeps insertion order). */
  const admittedAt = new Map<number, number>();
  let nextTicket = 0;
  let tookMs: number[] = [];
  let latencyMs = 0;
  let refusing = false;
  /**
   * Sends offered and refused since the last tick (by weight, as in flight), and both summed
   * over the last second's ticks: their ratio is the refused share (none offered: none).
   */
  let offeredInTick = 0;
  let refusedInTick = 0;
  const tickMs = Math.min(TICK_MS, deps.pollMs);
  const ticksInWindow = Math.max(1, Math.round(DEMAND_WINDOW_MS / tickMs));
  const lastSecond = {
    offered: new Array<number>(ticksInWindow).fill(0),
    refused: new Array<number>(ticksInWindow).fill(0),
    at: 0,
    offeredSum: 0,
    refusedSum: 0,
  };
  /** Sends offered per account since the last tick, and the account's weight. */
  const offeredBy = new Map<string, { count: number; weight: number }>();
  /** Each account's demand per second, averaged over DEMAND_WINDOW_MS. */
  const demand = new Map<string, { perSec: number; weight: number }>();
  /** Accounts over their share of the limit: how many sends each may have in flight. */
  let caps = new Map<string, number>();
  /** The known accounts' weights together: an account's share of the limit is its part of it. */
  let totalWeight = 0;
  let lastTick = performance.now();
  // 10 ms resolution: the loop is sampled, not timed per turn. The sampler is a timer that
  // wakes the process 100 times a second, most of an idle door's CPU on a host where a wake-up
  // costs 50-250 µs (docs/performance.md, round 26): it runs only while sends are offered or in
  // flight, the only time the gate reads it.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let sampling = true;
  let polling = false;
  let probeFailing = false;
  let stopped = false;

  /** p99 of how late the loop ran since the last tick, less the sampling interval itself. */
  function loopDelayMs(): number {
    const late = loopDelay.count > 0 ? Math.max(0, loopDelay.percentile(99) / 1e6 - 10) : 0;
    loopDelay.reset();
    return late;
  }

  /** The tick's p90, and never less than the wait of the oldest send still in flight. */
  function tickLatencyMs(now: number): number {
    let quantile = 0;
    if (tookMs.length > 0) {
      tookMs.sort((a, b) => a - b);
      quantile =
        tookMs[Math.min(tookMs.length - 1, Math.floor(tookMs.length * LATENCY_QUANTILE))] ?? 0;
    }
    tookMs = [];
    const oldest = admittedAt.values().next();
    return Math.max(quantile, oldest.done ? 0 : now - oldest.value);
  }

  function updateDemand(elapsedSec: number): void {
    const alpha = Math.min(1, (elapsedSec * 1000) / DEMAND_WINDOW_MS);
    for (const [accountId, seen] of demand) {
      seen.perSec *= 1 - alpha;
      if (seen.perSec < 0.01 && !offeredBy.has(accountId)) demand.delete(accountId);
    }
    for (const [accountId, { count, weight }] of offeredBy) {
      const seen = demand.get(accountId) ?? { perSec: 0, weight };
      seen.perSec += (alpha * count) / elapsedSec;
      seen.weight = weight;
      demand.set(accountId, seen);
    }
    offeredBy.clear();
  }

  function tick(): void {
    const now = performance.now();
    const elapsedSec = Math.max(1e-3, (now - lastTick) / 1000);
    lastTick = now;
    // Message times are the NATS server's clock, ours is Date.now(): NTP keeps them close.
    backlog = backlogOf(durables, Date.now());
    // Smoothed over a few ticks: one slow commit is not a queue.
    latencyMs += (tickLatencyMs(now) - latencyMs) * LATENCY_SMOOTHING;
    updateDemand(elapsedSec);
    // Sums, not each tick's ratio: a tick of three sends weighs less than one of 3,000.
    const slot = lastSecond.at;
    lastSecond.offeredSum += offeredInTick - (lastSecond.offered[slot] ?? 0);
    lastSecond.refusedSum += refusedInTick - (lastSecond.refused[slot] ?? 0);
    lastSecond.offered[slot] = offeredInTick;
    lastSecond.refused[slot] = refusedInTick;
    lastSecond.at = (slot + 1) % lastSecond.offered.length;
    const refusedShare =
      lastSecond.offeredSum > 0 ? Math.min(1, lastSecond.refusedSum / lastSecond.offeredSum) : 0;
    const refusedThisTick = refusedInTick > 0;
    const idle = offeredInTick === 0 && inFlight === 0;
    offeredInTick = 0;
    refusedInTick = 0;
    const wasOverloaded = state.overloaded;
    state = nextAdmission(
      state,
      { backlogAgeMs: backlog.ageMs, latencyMs, loopDelayMs: loopDelayMs(), refusedShare },
      peakInFlight,
      policy,
    );
    if (idle && sampling) {
      loopDelay.disable();
      sampling = false;
    }
    if (state.overloaded !== wasOverloaded) {
      const context = { refusedShare: Math.round(refusedShare * 100) / 100 };
      if (state.overloaded) log.warn(context, "overloaded: the lower latency target applies");
      else log.info(context, "no longer overloaded: the latency target applies again");
    }
    peakInFlight = inFlight;
    const demands = [...demand].map(([accountId, d]) => ({
      accountId,
      amount: expectedInFlight(d.perSec, latencyMs),
      weight: d.weight,
    }));
    totalWeight = demands.reduce((sum, d) => sum + d.weight, 0);
    caps = fairCaps(demands, state.limit);
    if (refusedThisTick !== refusing) {
      refusing = refusedThisTick;
      const context = { pressure: state.pressure, backlog, limit: Math.round(state.limit) };
      if (refusing) log.warn(context, "at capacity: refusing new sends");
      else log.info(context, "below capacity: admitting all sends");
    }
    metrics.shedding.set(refusing ? 1 : 0);
    metrics.overloaded.set(state.overloaded ? 1 : 0);
    metrics.pressure.set(state.pressure.value);
    metrics.backlogAgeSeconds.set(backlog.ageMs / 1000);
    metrics.limit.set(state.limit);
    metrics.inFlight.set(inFlight);
  }

  /**
   * Past the limit: only an account under its share of it gets in. One whose demand fits its
   * share (not capped, fair-share.ts) does up to its share by weight or twice its demand in
   * flight, whatever the others do: the limit, near what the load needs, is crossed at every
   * surge, and a quiet account must not pay for another's (all of them together stop at three
   * times the limit). The rest stop at their cap and at twice the limit; an account unknown
   * until the next tick at a few sends.
   */
  function overShare(accountId: string, count: number): boolean {
    const mine = inFlightBy.get(accountId) ?? 0;
    // Demand and latency change only at a tick, so this is what the tick's fair shares saw.
    const known = demand.get(accountId);
    const cap = caps.get(accountId);
    if (known !== undefined && cap === undefined) {
      // Many light accounts (sub-accounts) together still stop at three times the limit.
      if (inFlight + count > 3 * state.limit) return true;
      const expected = expectedInFlight(known.perSec, latencyMs);
      const share = totalWeight > 0 ? (state.limit * known.weight) / totalWeight : 0;
      return mine + count > Math.max(UNKNOWN_IN_FLIGHT, 2 * expected, share);
    }
    if (inFlight + count > 2 * state.limit) return true;
    if (known === undefined) return mine + count > UNKNOWN_IN_FLIGHT;
    return cap !== undefined && mine + count > Math.max(1, cap);
  }

  const poller = setInterval(() => {
    if (polling || stopped) return;
    polling = true;
    probeBacklog(deps)
      .then((seen) => {
        if (probeFailing) log.info("admission: backlog read again");
        probeFailing = false;
        durables = seen;
      })
      .catch((error: unknown) => {
        // Keep the last view: a NATS hiccup neither opens nor shuts the door by itself.
        // Once per streak: a lasting failure (permissions, an old server) must be seen.
        if (!probeFailing)
          log.warn({ err: error }, "admission: backlog not read; keeping the last view");
        probeFailing = true;
      })
      .finally(() => {
        polling = false;
      });
  }, deps.pollMs);
  poller.unref();
  const ticker = setInterval(tick, tickMs);
  ticker.unref();

  function noteOffered(account: AccountRecord, count: number): void {
    offeredInTick += count;
    if (!sampling && !stopped) {
      loopDelay.enable();
      sampling = true;
    }
    const seen = offeredBy.get(account.accountId);
    if (seen) seen.count += count;
    else {
      const weight = accountLimitsOf(account, deps.defaultLimits).ratePerSec;
      offeredBy.set(account.accountId, { count, weight });
    }
  }
  /**
   * What a send weighs in flight: its messages, but never more than the limit's floor. A batch
   * is one request whose answer waits for one charge and one publish, as a send of one does;
   * its messages' work further on shows in the backlog and the latency. Counted whole, a batch
   * larger than the limit (which sits near four times the load's peak at low load) would be
   * refused on a quiet gateway for good, and one admitted would shut out every other account.
   */
  const weightOf = (count: number) => Math.min(count, floorOf(state.overloaded, policy));
  /**
   * Past the limit when there is no room left for one more message: a send that finds room is
   * admitted whole, so the overshoot is one send's weight at most.
   */
  const refuses = (accountId: string, weight: number) =>
    inFlight + 1 > state.limit && overShare(accountId, weight);
  /** Refuses a send of `messages` (metrics count messages) weighing `weight` (as offered). */
  function refuse(messages: number, weight: number): ApiError {
    refusedInTick += weight;
    metrics.shed.inc({ reason: state.pressure.reason }, messages);
    return AT_CAPACITY;
  }

  return {
    admit(account, messages, answer) {
      const { accountId } = account;
      const count = weightOf(messages);
      noteOffered(account, count);
      if (refuses(accountId, count)) return refuse(messages, count);
      const ticket = nextTicket++;
      admittedAt.set(ticket, performance.now());
      inFlight += count;
      peakInFlight = Math.max(peakInFlight, inFlight);
      inFlightBy.set(accountId, (inFlightBy.get(accountId) ?? 0) + count);
      answer.once("close", () => {
        const at = admittedAt.get(ticket) ?? performance.now();
        admittedAt.delete(ticket);
        tookMs.push(performance.now() - at);
        inFlight -= count;
        const left = (inFlightBy.get(accountId) ?? count) - count;
        if (left > 0) inFlightBy.set(accountId, left);
        else inFlightBy.delete(accountId);
      });
      return null;
    },
    refuseEarly(account, messages) {
      const count = weightOf(messages);
      if (!refuses(account.accountId, count)) return null;
      noteOffered(account, count);
      return refuse(messages, count);
    },
    stop() {
      stopped = true;
      loopDelay.disable();
      clearInterval(poller);
      clearInterval(ticker);
    },
  };
}

/**
 * The deps from a door's config. The delivery path: the accepted event, routed events,
 * carriers' submit work, submit failures (failover) and the event store's batches; every
 * durable reading any of them counts, whatever its name (a new carrier's durable too).
 */
export function admissionDeps(
  config: AdmissionConfig,
  messaging: Pick<Messaging, "nats" | "subjects">,
  defaultLimits: DefaultLimits,
  metrics: AdmissionMetrics,
  log: Logger,
): AdmissionDeps {
  const { subjects } = messaging;
  return {
    jsm: messaging.nats.jsm,
    stream: subjects.stream,
    path: [
      subjects.event("MessageAccepted"),
      subjects.routedAll,
      subjects.submitAll,
      subjects.event("SubmitFailed"),
      subjects.eventBatch,
    ],
    ignored: new Set(config.ADMISSION_IGNORE_DURABLES),
    perCarrier: [subjects.routedAll, subjects.submitAll],
    policy: {
      maxDelayMs: config.ADMISSION_MAX_DELAY_MS,
      targetLatencyMs: config.ADMISSION_TARGET_LATENCY_MS,
      overloadTargetLatencyMs: config.ADMISSION_OVERLOAD_TARGET_LATENCY_MS,
      maxLoopDelayMs: config.ADMISSION_MAX_LOOP_DELAY_MS,
      minInFlight: config.ADMISSION_MIN_IN_FLIGHT,
      overloadMinInFlight: config.ADMISSION_OVERLOAD_MIN_IN_FLIGHT,
      maxInFlight: config.ADMISSION_MAX_IN_FLIGHT,
    },
    defaultLimits,
    pollMs: config.ADMISSION_POLL_MS,
    metrics,
    log,
  };
}

/** The gate a door runs: admission control when enabled, else one that admits every send. */
export function startAdmissionGate(
  config: AdmissionConfig,
  messaging: Pick<Messaging, "nats" | "subjects">,
  defaultLimits: DefaultLimits,
  metrics: AdmissionMetrics,
  log: Logger,
): AdmissionGate {
  return config.ADMISSION_ENABLED
    ? startAdmission(admissionDeps(config, messaging, defaultLimits, metrics, log))
    : ALWAYS_ADMIT;
}

/** The gate when admission control is off: every send is admitted. */
export const ALWAYS_ADMIT: AdmissionGate = {
  admit: () => null,
  refuseEarly: () => null,
  stop: () => undefined,
};
