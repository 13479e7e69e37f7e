import { monitorEventLoopDelay } from "node:perf_hooks";
import type { AccountRecord } from "@smsgw/contracts";
import {
  type ApiError,
  type Authorizer,
  accountLimitsOf,
  type Bucket,
  type DefaultLimits,
} from "@smsgw/message-acceptance";
import type { Logger, Messaging } from "@smsgw/service-kit";
import type { IngressConfig } from "../config.ts";
import {
  type AdmissionPolicy,
  type AdmissionState,
  DEFAULT_ADMISSION_POLICY,
  nextAdmission,
  OPEN,
} from "../domain/admission.ts";
import { type Backlog, backlogOf, type DurableBacklog } from "../domain/backlog.ts";
import { admitSend, fairCaps } from "../domain/fair-share.ts";
import {
  admissionBacklogAge,
  admissionCeiling,
  admissionPressure,
  admissionShedding,
  authorizeInFlight,
  shedRequests,
} from "../metrics.ts";
import { type BacklogProbeDeps, probeBacklog } from "./backlog-probe.ts";

export interface AdmissionDeps extends BacklogProbeDeps {
  policy: AdmissionPolicy;
  defaultLimits: DefaultLimits;
  pollMs: number;
  log: Logger;
  now(): number;
}

export interface AdmissionGate {
  /** A send of `count` messages by the account: null when admitted, else the 429 to answer. */
  admit(account: AccountRecord, count: number): ApiError | null;
  /** The authorizer, measured: its requests in flight and their latency are signals. */
  measure(inner: Authorizer): Authorizer;
  /** The controller's current state (tests, logs). */
  state(): AdmissionState;
  stop(): void;
}

/** Demand is averaged over about this long, so a quiet account's jitter does not look like a flood. */
const DEMAND_WINDOW_MS = 1_000;
/** Authorize latency: a moving average over about the last 20 answers. */
const LATENCY_WEIGHT = 0.05;
const ADMITTED = { allowed: true } as const;
const AT_CAPACITY = "the gateway is at capacity; retry after the Retry-After seconds";

/** The controller runs this often (local signals react fast; the backlog is read every pollMs). */
const TICK_MS = 100;

/**
 * Admission control at the door (domain/admission.ts decides, this measures and applies).
 * Once every `pollMs`, shared by all requests, the delivery path's durables are read
 * (backlog-probe.ts). Every TICK_MS, with the authorize requests in flight and their
 * latency, that is the signal: the controller gives a ceiling on sends per second at this
 * replica, and fairCaps shares it among the accounts by their limits. A send then costs two
 * map lookups. Between ticks, authorize requests in flight past twice their limit refuse
 * every send at once (a backstop against a surge within one tick).
 */
export function startAdmission(deps: AdmissionDeps): AdmissionGate {
  const { policy, log } = deps;
  let state: AdmissionState = OPEN;
  /** The durables as last read; their waits are aged at each tick (a stalled one keeps growing). */
  let durables: DurableBacklog[] = [];
  let backlog: Backlog = { ageMs: 0, durable: null };
  let inFlight = 0;
  let latencyMs = 0;
  let answered = 0;
  let offered = 0;
  let admitted = 0;
  /** Sends offered per account since the last tick, and the account's weight. */
  const offeredBy = new Map<string, { count: number; weight: number }>();
  /** Each account's demand per second, averaged over DEMAND_WINDOW_MS. */
  const demand = new Map<string, { perSec: number; weight: number }>();
  let caps = new Map<string, number>();
  const buckets = new Map<string, Bucket>();
  let lastTick = deps.now();
  // 10 ms resolution: the loop is sampled, not timed per turn, so this costs ~nothing.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let polling = false;
  let probeFailing = false;
  let stopped = false;

  /** p99 of how late the loop ran since the last tick, less the sampling interval itself. */
  function loopDelayMs(): number {
    const late = loopDelay.count > 0 ? Math.max(0, loopDelay.percentile(99) / 1e6 - 10) : 0;
    loopDelay.reset();
    return late;
  }

  function tick(): void {
    const now = deps.now();
    const elapsedSec = Math.max(1e-3, (now - lastTick) / 1000);
    lastTick = now;
    // Message times are the NATS server's clock, `now` ours: NTP keeps them close enough.
    backlog = backlogOf(durables, now);
    const rates = {
      offeredPerSec: offered / elapsedSec,
      admittedPerSec: admitted / elapsedSec,
      answeredPerSec: answered / elapsedSec,
      elapsedSec,
    };
    // No answer this tick: the latency seen last is stale, let it fade.
    if (answered === 0) latencyMs *= 0.5;
    answered = 0;
    offered = 0;
    admitted = 0;
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

    const before = state;
    state = nextAdmission(
      state,
      {
        backlogAgeMs: backlog.ageMs,
        authorizeInFlight: inFlight,
        authorizeLatencyMs: latencyMs,
        loopDelayMs: loopDelayMs(),
      },
      rates,
      policy,
    );
    if (state.shedding) {
      caps = fairCaps(
        [...demand].map(([accountId, d]) => ({
          accountId,
          offeredPerSec: d.perSec,
          weight: d.weight,
        })),
        state.ceilingPerSec,
      );
      for (const accountId of buckets.keys()) if (!caps.has(accountId)) buckets.delete(accountId);
    } else {
      caps = new Map();
      buckets.clear();
    }
    if (state.shedding !== before.shedding) {
      log.warn(
        {
          shedding: state.shedding,
          pressure: state.pressure,
          backlog,
          ceilingPerSec: state.shedding ? state.ceilingPerSec : null,
        },
        state.shedding ? "at capacity: shedding new sends" : "below capacity: admitting all sends",
      );
    }
    admissionShedding.set(state.shedding ? 1 : 0);
    admissionPressure.set(state.pressure.value);
    admissionBacklogAge.set(backlog.ageMs / 1000);
    admissionCeiling.set(state.shedding ? state.ceilingPerSec : 0);
    authorizeInFlight.set(inFlight);
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
  const ticker = setInterval(tick, Math.min(TICK_MS, deps.pollMs));
  ticker.unref();

  return {
    admit(account, count) {
      offered += count;
      const seen = offeredBy.get(account.accountId);
      if (seen) seen.count += count;
      else {
        const weight = accountLimitsOf(account, deps.defaultLimits).ratePerSec;
        offeredBy.set(account.accountId, { count, weight });
      }
      if (inFlight >= 2 * policy.maxAuthorizeInFlight) {
        shedRequests.inc({ reason: "authorize_in_flight" });
        return { status: "rate_limit", message: AT_CAPACITY, retryAfterSec: 1 };
      }
      if (!state.shedding) {
        admitted += count;
        return null;
      }
      const cap = caps.get(account.accountId);
      let bucket = buckets.get(account.accountId);
      if (cap !== undefined && bucket === undefined) {
        bucket = { tokens: Math.max(1, cap), at: deps.now() };
        buckets.set(account.accountId, bucket);
      }
      const decision = bucket ? admitSend(bucket, cap, deps.now(), count) : ADMITTED;
      if (decision.allowed) {
        admitted += count;
        return null;
      }
      shedRequests.inc({ reason: state.pressure.reason });
      return {
        status: "rate_limit",
        message: AT_CAPACITY,
        retryAfterSec: decision.retryAfterSec,
      };
    },
    measure(inner) {
      return {
        async authorize(request) {
          const started = performance.now();
          inFlight++;
          try {
            return await inner.authorize(request);
          } finally {
            inFlight--;
            answered++;
            const took = performance.now() - started;
            latencyMs += (took - latencyMs) * LATENCY_WEIGHT;
          }
        },
      };
    },
    state: () => state,
    stop() {
      stopped = true;
      loopDelay.disable();
      clearInterval(poller);
      clearInterval(ticker);
    },
  };
}

/**
 * The deps from the ingress's config. The delivery path: the accepted event, routed events,
 * carriers' submit work, submit failures (failover) and the event store's batches; every
 * durable reading any of them counts, whatever its name (a new carrier's durable too).
 */
export function admissionDeps(
  config: IngressConfig,
  messaging: Pick<Messaging, "nats" | "subjects">,
  defaultLimits: DefaultLimits,
  log: Logger,
  now: () => number,
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
      maxAuthorizeInFlight: config.ADMISSION_MAX_AUTHORIZE_IN_FLIGHT,
      maxAuthorizeLatencyMs: config.ADMISSION_MAX_AUTHORIZE_LATENCY_MS,
      maxLoopDelayMs: config.ADMISSION_MAX_LOOP_DELAY_MS,
      resumeBelow: DEFAULT_ADMISSION_POLICY.resumeBelow,
      minRatePerSec: config.ADMISSION_MIN_RATE_PER_SEC,
    },
    defaultLimits,
    pollMs: config.ADMISSION_POLL_MS,
    log,
    now,
  };
}

/** The gate when admission control is off: every send is admitted. */
export const ALWAYS_ADMIT: AdmissionGate = {
  admit: () => null,
  measure: (inner) => inner,
  state: () => OPEN,
  stop: () => undefined,
};
