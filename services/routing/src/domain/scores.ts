import type { CarrierHealth } from "@smsgw/contracts";
import type { CarrierScore, HealthState } from "./choose.ts";

/**
 * Rolling delivery counts per (destination key, carrier), in time slots: a slot older
 * than the window drops out whole, so old failures age away and a carrier that stopped
 * receiving traffic drifts back to the neutral prior. Times are the events' own
 * `occurredAt`, so replicas replaying the same events hold the same scores.
 */
interface Slot {
  start: number;
  delivered: number;
  failed: number;
  latencySum: number;
  latencyCount: number;
}

export class ScoreBook {
  readonly #slotMs: number;
  readonly #windowMs: number;
  readonly #slots = new Map<string, Map<string, Slot[]>>();

  constructor(windowMs: number, slots = 10) {
    this.#windowMs = windowMs;
    this.#slotMs = Math.max(1, Math.ceil(windowMs / slots));
  }

  record(
    key: string,
    carrierId: string,
    outcome: "delivered" | "failed",
    atMs: number,
    latencyMs?: number,
  ): void {
    let byCarrier = this.#slots.get(key);
    if (!byCarrier) {
      byCarrier = new Map();
      this.#slots.set(key, byCarrier);
    }
    let slots = byCarrier.get(carrierId);
    if (!slots) {
      slots = [];
      byCarrier.set(carrierId, slots);
    }
    const start = atMs - (atMs % this.#slotMs);
    let slot = slots.find((s) => s.start === start);
    if (!slot) {
      slot = { start, delivered: 0, failed: 0, latencySum: 0, latencyCount: 0 };
      slots.push(slot);
      // Keep at most the window's slots (events arrive almost in order).
      slots.sort((a, b) => a.start - b.start);
      while (slots.length > Math.ceil(this.#windowMs / this.#slotMs) + 1) slots.shift();
    }
    slot[outcome] += 1;
    if (latencyMs !== undefined && latencyMs >= 0) {
      slot.latencySum += latencyMs;
      slot.latencyCount += 1;
    }
  }

  /** The carriers' scores for one destination key, counting the slots inside the window. */
  scores(key: string, nowMs: number): Map<string, CarrierScore> {
    const result = new Map<string, CarrierScore>();
    const since = nowMs - this.#windowMs;
    for (const [carrierId, slots] of this.#slots.get(key) ?? []) {
      let delivered = 0;
      let failed = 0;
      let latencySum = 0;
      let latencyCount = 0;
      for (const slot of slots) {
        if (slot.start + this.#slotMs <= since) continue;
        delivered += slot.delivered;
        failed += slot.failed;
        latencySum += slot.latencySum;
        latencyCount += slot.latencyCount;
      }
      if (delivered + failed === 0 && latencyCount === 0) continue;
      const latencyMs = latencyCount > 0 ? Math.round(latencySum / latencyCount) : null;
      result.set(carrierId, { delivered, failed, latencyMs });
    }
    return result;
  }

  /** Every key's scores (for the admin API). */
  snapshot(nowMs: number): Record<string, Record<string, CarrierScore>> {
    const out: Record<string, Record<string, CarrierScore>> = {};
    for (const key of this.#slots.keys()) out[key] = Object.fromEntries(this.scores(key, nowMs));
    return out;
  }
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
 * and none is up anywhere; degraded when throttled or erring; no fresh record = unknown.
 */
export function combineHealth(
  records: Iterable<CarrierHealth>,
  nowMs: number,
  policy: HealthPolicy = DEFAULT_HEALTH_POLICY,
): Map<string, HealthState> {
  const sums = new Map<
    string,
    { up: number; wanted: number; throttled: boolean; errors: number; submits: number }
  >();
  for (const record of records) {
    if (nowMs - Date.parse(record.updatedAt) > policy.staleMs) continue;
    const sum = sums.get(record.carrierId) ?? {
      up: 0,
      wanted: 0,
      throttled: false,
      errors: 0,
      submits: 0,
    };
    sum.up += record.bindsUp;
    sum.wanted += record.bindsWanted;
    sum.throttled ||= record.throttled;
    sum.errors += record.recentSubmitErrors;
    sum.submits += record.recentSubmits;
    sums.set(record.carrierId, sum);
  }
  const states = new Map<string, HealthState>();
  for (const [carrierId, sum] of sums) {
    const erring = sum.submits >= policy.minSubmits && sum.errors / sum.submits > policy.errorRatio;
    if (sum.wanted > 0 && sum.up === 0) states.set(carrierId, "down");
    else if (sum.throttled || erring) states.set(carrierId, "degraded");
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
  const newest = new Map<string, { at: number; simulated: boolean }>();
  for (const record of records) {
    const at = Date.parse(record.updatedAt);
    const seen = newest.get(record.carrierId);
    if (!seen || at > seen.at) {
      newest.set(record.carrierId, { at, simulated: record.simulated === true });
    }
  }
  return new Set([...newest].filter(([, seen]) => seen.simulated).map(([carrierId]) => carrierId));
}
