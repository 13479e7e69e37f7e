import {
  type Bucket,
  type BucketLimits,
  isIdle,
  makeRoom,
  type RateLimiter,
  type RateLimiterOptions,
  take,
} from "./token-bucket.ts";

/**
 * Rate limits for the whole gateway, not per replica, with no round trip on a request. Each
 * replica decides from its own copy of every bucket (the fast local check, exactly the
 * token bucket of `token-bucket.ts`) and counts what it took. Every sync interval it reports
 * those counts to one shared bucket per key (Postgres, `shared-limits/store.ts`:
 * one statement for all keys) and gets back the shared tokens, which replace its copy. So
 * every replica sees what all the others took, at most one interval late: the limit holds
 * for the gateway, overshooting by at most what the replicas admit in one interval, and a
 * replica that took more than its part sees the shared bucket in debt and refuses until it
 * has refilled. Pure: time comes in as an argument, the I/O is the store's.
 */
export interface SharedBucket extends Bucket {
  limits: BucketLimits;
  /** Tokens taken here and not reported yet. */
  unreported: number;
  /** Tokens in the report on its way (its answer not back yet). */
  reporting: number;
}

/** One key's line in a report: what this replica took, and the key's limits. */
export interface Usage {
  key: string;
  used: number;
  ratePerSec: number;
  burst: number;
}

export interface SharedRateLimiter extends RateLimiter {
  /**
   * Starts a report: the keys with tokens taken since the last one, and the other keys in use
   * (not refilled to the burst) with nothing taken, so their copy is refreshed too; at most
   * `max` keys, taken in turn (a reported key goes to the back of the line), so a flood of
   * distinct keys bounds the statement instead of growing it. Sorted, so concurrent reports
   * lock the shared rows in one order.
   */
  report(now: number, max?: number): Usage[];
  /** The shared tokens of each reported key after the report (at `now`). */
  settle(tokens: ReadonlyMap<string, number>, now: number): void;
  /** The report failed: its counts go into the next one; decisions stay local meanwhile. */
  abandon(): void;
}

export interface SharedRateLimiterOptions extends RateLimiterOptions {
  /**
   * Called when a key is seen for the first time (or again after it was forgotten): its copy
   * starts full, so the store should sync soon rather than at the end of the interval.
   */
  onNewKey?(): void;
}

/** Keys per report: with a 100 ms interval, at most 20,000 shared rows a second per replica. */
export const REPORT_MAX_KEYS = 2_000;

/** One bucket per key, taken from locally, reported and settled against the shared one. */
export function createSharedRateLimiter(
  limits: BucketLimits,
  options: SharedRateLimiterOptions = {},
): SharedRateLimiter {
  const sweepEveryMs = options.sweepEveryMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 100_000;
  const buckets = new Map<string, SharedBucket>();
  const inReport = new Set<string>();
  let lastSweep = Number.NEGATIVE_INFINITY;

  // A bucket still owing a report is kept: its counts must reach the shared bucket.
  const forgettable = (bucket: SharedBucket, now: number) =>
    bucket.unreported === 0 && bucket.reporting === 0 && isIdle(bucket, bucket.limits, now);
  const sweep = (now: number) => {
    lastSweep = now;
    for (const [key, bucket] of buckets) if (forgettable(bucket, now)) buckets.delete(key);
  };

  return {
    take(key, now, own = limits, count = 1) {
      if (now - lastSweep >= sweepEveryMs) sweep(now);
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        makeRoom(buckets, maxEntries, () => sweep(now));
        bucket = { tokens: own.burst, at: now, limits: own, unreported: 0, reporting: 0 };
        buckets.set(key, bucket);
        options.onNewKey?.();
      }
      bucket.limits = own;
      const decision = take(bucket, own, now, count);
      if (decision.allowed) bucket.unreported += count;
      return decision;
    },
    get size() {
      return buckets.size;
    },
    report(now, max = REPORT_MAX_KEYS) {
      const usage: Usage[] = [];
      for (const [key, bucket] of buckets) {
        if (usage.length >= max) break;
        if (bucket.reporting > 0 || inReport.has(key)) continue;
        if (bucket.unreported === 0 && isIdle(bucket, bucket.limits, now)) continue;
        usage.push({
          key,
          used: bucket.unreported,
          ratePerSec: bucket.limits.ratePerSec,
          burst: bucket.limits.burst,
        });
        bucket.reporting = bucket.unreported;
        bucket.unreported = 0;
        inReport.add(key);
      }
      for (const { key } of usage) {
        const bucket = buckets.get(key) as SharedBucket;
        buckets.delete(key);
        buckets.set(key, bucket);
      }
      return usage.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    settle(tokens, now) {
      for (const key of inReport) {
        const bucket = buckets.get(key);
        const shared = tokens.get(key);
        if (!bucket) continue;
        bucket.reporting = 0;
        if (shared === undefined) continue;
        // The shared tokens, less what was taken here while the report was on its way.
        bucket.tokens = Math.min(bucket.limits.burst, shared) - bucket.unreported;
        bucket.at = now;
      }
      inReport.clear();
    },
    abandon() {
      for (const key of inReport) {
        const bucket = buckets.get(key);
        if (!bucket) continue;
        bucket.unreported += bucket.reporting;
        bucket.reporting = 0;
      }
      inReport.clear();
    },
  };
}
