import type { CarrierHealth } from "@smsgw/contracts";
import type { CarrierScore, HealthState } from "./choose.ts";

/**
 * The carriers' scores per score key, summed from the connector replicas' counts (ADR 0009)
 * over the window: a slot counts while any of it is inside the window, so a carrier's
 * failures age out whole once their slot has left it and a carrier that stopped getting
 * traffic drifts back to the neutral prior. A replica's record counts whatever its age (a
 * replica that stopped still saw what it saw); its slots age like any other.
 */
export type ScoreIndex = Map<string, Map<string, CarrierScore>>;

interface Sum {
  delivered: number;
  failed: number;
  latencySum: number;
  latencyCount: number;
}

export function scoreIndex(
  records: Iterable<CarrierHealth>,
  nowMs: number,
  windowMs: number,
): ScoreIndex {
  const sums = new Map<string, Map<string, Sum>>();
  const since = nowMs - windowMs;
  for (const record of records) {
    const slotMs = record.countSlotMs ?? 0;
    for (const count of record.counts ?? []) {
      if (count.at + slotMs <= since) continue;
      let byCarrier = sums.get(count.key);
      if (!byCarrier) {
        byCarrier = new Map();
        sums.set(count.key, byCarrier);
      }
      const sum = byCarrier.get(record.carrierId) ?? {
        delivered: 0,
        failed: 0,
        latencySum: 0,
        latencyCount: 0,
      };
      // A retryable refusal is the carrier's failure to take the message; a permanent one is
      // usually about the message itself, and the connector does not count it.
      sum.delivered += count.delivered;
      sum.failed += count.undelivered + count.submitFailures;
      sum.latencySum += count.latencyMsSum;
      sum.latencyCount += count.latencyCount;
      byCarrier.set(record.carrierId, sum);
    }
  }
  const index: ScoreIndex = new Map();
  for (const [key, byCarrier] of sums) {
    const scores = new Map<string, CarrierScore>();
    for (const [carrierId, sum] of byCarrier) {
      if (sum.delivered + sum.failed === 0 && sum.latencyCount === 0) continue;
      const latencyMs = sum.latencyCount > 0 ? Math.round(sum.latencySum / sum.latencyCount) : null;
      scores.set(carrierId, { delivered: sum.delivered, failed: sum.failed, latencyMs });
    }
    if (scores.size > 0) index.set(key, scores);
  }
  return index;
}

/** Every key's scores as plain objects (for the admin API). */
export function scoreSnapshot(index: ScoreIndex): Record<string, Record<string, CarrierScore>> {
  return Object.fromEntries([...index].map(([key, scores]) => [key, Object.fromEntries(scores)]));
}

export interface HealthPolicy {
  /** A replica's record older than this is ignored (the replica is gone or stuck). */
  staleMs: number;
  /** Share of recent submits that failed above which the carrier is degraded … */
  errorRatio: number;
  /** … once at least this many submits were made. */
  minSubmits: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = {
  staleMs: 60_000,
  errorRatio: 0.5,
  minSubmits: 10,
};

/**
 * Combines the connector replicas' records of each carrier: down when binds are wanted
 * and none is up anywhere; degraded when throttled, erring, or unresponsive (a replica dropped
 * a bind whose submits went unanswered and none has been answered since: each message sent
 * there would end "outcome unknown"); no fresh record = unknown.
 */
export function combineHealth(
  records: Iterable<CarrierHealth>,
  nowMs: number,
  policy: HealthPolicy = DEFAULT_HEALTH_POLICY,
): Map<string, HealthState> {
  const sums = new Map<
    string,
    {
      up: number;
      wanted: number;
      throttled: boolean;
      unresponsive: boolean;
      errors: number;
      submits: number;
    }
  >();
  for (const record of records) {
    if (nowMs - Date.parse(record.updatedAt) > policy.staleMs) continue;
    const sum = sums.get(record.carrierId) ?? {
      up: 0,
      wanted: 0,
      throttled: false,
      unresponsive: false,
      errors: 0,
      submits: 0,
    };
    sum.up += record.bindsUp;
    sum.wanted += record.bindsWanted;
    sum.throttled ||= record.throttled;
    sum.unresponsive ||= record.unresponsive === true;
    sum.errors += record.recentSubmitErrors;
    sum.submits += record.recentSubmits;
    sums.set(record.carrierId, sum);
  }
  const states = new Map<string, HealthState>();
  for (const [carrierId, sum] of sums) {
    const erring = sum.submits >= policy.minSubmits && sum.errors / sum.submits > policy.errorRatio;
    if (sum.wanted > 0 && sum.up === 0) states.set(carrierId, "down");
    else if (sum.throttled || sum.unresponsive || erring) states.set(carrierId, "degraded");
    else states.set(carrierId, "up");
  }
  return states;
}

/**
 * The carriers that are simulators: those whose newest health record, of any age, says
 * `simulated`. The flag is configuration, not liveness, so a stale record still tells the
 * truth (a simulator whose connector went quiet must not start taking real traffic); a
 * carrier never heard of is not one, so a test message never goes to it.
 */
export function simulatedCarriers(records: Iterable<CarrierHealth>): Set<string> {
  const simulated = newestPerCarrier(records, (record) => record.simulated === true);
  return new Set([...simulated].filter(([, flag]) => flag).map(([carrierId]) => carrierId));
}

/**
 * Each carrier's concatenation style from its newest health record that states one (ADR
 * 0011). Like `simulated` it is configuration, so a stale record still tells it; a carrier
 * no record names is absent (unknown).
 */
export function carrierConcats(
  records: Iterable<CarrierHealth>,
): Map<string, NonNullable<CarrierHealth["concat"]>> {
  return newestPerCarrier(records, (record) => record.concat);
}

/** Per carrier, what `pick` reads from its newest record that has it (undefined = has not). */
function newestPerCarrier<T>(
  records: Iterable<CarrierHealth>,
  pick: (record: CarrierHealth) => T | undefined,
): Map<string, T> {
  const newest = new Map<string, { at: number; value: T }>();
  for (const record of records) {
    const value = pick(record);
    if (value === undefined) continue;
    const at = Date.parse(record.updatedAt);
    const seen = newest.get(record.carrierId);
    if (!seen || at > seen.at) newest.set(record.carrierId, { at, value });
  }
  return new Map([...newest].map(([carrierId, { value }]) => [carrierId, value]));
}
