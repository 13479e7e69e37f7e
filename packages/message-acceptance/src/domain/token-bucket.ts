/**
 * Token buckets: `burst` tokens at most, refilled at `ratePerSec`; a request takes one.
 * Time comes in as an argument (milliseconds), so the decisions are pure and testable.
 */
export interface BucketLimits {
  readonly ratePerSec: number;
  readonly burst: number;
}

export interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

export type TakeDecision = { allowed: true } | { allowed: false; retryAfterSec: number };

const ALLOWED: TakeDecision = { allowed: true };

/** The bucket's tokens at `now`: refilled for the time passed, never above the burst. */
export function refill(bucket: Bucket, limits: BucketLimits, now: number): number {
  const elapsedMs = Math.max(0, now - bucket.at);
  return Math.min(limits.burst, bucket.tokens + (elapsedMs * limits.ratePerSec) / 1000);
}

/**
 * Takes `count` tokens (one per message: a batch takes one per item) from `bucket`,
 * updating it in place, or says when to retry, in whole seconds ≥ 1.
 */
export function take(bucket: Bucket, limits: BucketLimits, now: number, count = 1): TakeDecision {
  const tokens = refill(bucket, limits, now);
  bucket.at = Math.max(bucket.at, now);
  if (tokens >= count) {
    bucket.tokens = tokens - count;
    return ALLOWED;
  }
  bucket.tokens = tokens;
  return {
    allowed: false,
    retryAfterSec: Math.max(1, Math.ceil((count - tokens) / limits.ratePerSec)),
  };
}

/** A bucket that has refilled to the burst is the same as no bucket: it can be forgotten. */
export function isIdle(bucket: Bucket, limits: BucketLimits, now: number): boolean {
  return refill(bucket, limits, now) >= limits.burst;
}

/**
 * Before a new key: when the map is full, sweep the idle buckets, and if fewer than a tenth of
 * the places came free, forget the oldest keys until a tenth is free (a flood of distinct keys
 * cannot grow memory). The sweep visits every key, so it must buy room for many new ones: at
 * most one sweep per `maxEntries / 10` new keys, about ten visits per new key (issue 23: a
 * full map of busy keys was swept, 100,000 visits, for every new key).
 */
export function makeRoom(buckets: Map<string, unknown>, maxEntries: number, sweep: () => void) {
  if (buckets.size < maxEntries) return;
  sweep();
  const keep = maxEntries - Math.max(1, Math.ceil(maxEntries / 10));
  for (const oldest of buckets.keys()) {
    if (buckets.size <= keep) break;
    buckets.delete(oldest);
  }
}

export interface RateLimiter {
  /** `limits` overrides the limiter's defaults for this key (per-account settings). */
  take(key: string, now: number, limits?: BucketLimits, count?: number): TakeDecision;
  /** Buckets currently remembered. */
  readonly size: number;
}

export interface RateLimiterOptions {
  /** Idle buckets are swept at most this often (ms). */
  sweepEveryMs?: number;
  /** Hard bound on remembered keys: past it, idle buckets go first, then the oldest. */
  maxEntries?: number;
}

/** One bucket per key (client IP, account), forgotten once idle. */
export function createRateLimiter(
  limits: BucketLimits,
  options: RateLimiterOptions = {},
): RateLimiter {
  const sweepEveryMs = options.sweepEveryMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 100_000;
  // Each bucket keeps the limits it was last taken with, so sweeping judges it by its own.
  const buckets = new Map<string, Bucket & { limits: BucketLimits }>();
  let lastSweep = Number.NEGATIVE_INFINITY;

  const sweep = (now: number) => {
    lastSweep = now;
    for (const [key, bucket] of buckets) {
      if (isIdle(bucket, bucket.limits, now)) buckets.delete(key);
    }
  };

  return {
    take(key, now, own = limits, count = 1) {
      if (now - lastSweep >= sweepEveryMs) sweep(now);
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        makeRoom(buckets, maxEntries, () => sweep(now));
        bucket = { tokens: own.burst, at: now, limits: own };
        buckets.set(key, bucket);
      }
      bucket.limits = own;
      return take(bucket, own, now, count);
    },
    get size() {
      return buckets.size;
    },
  };
}
