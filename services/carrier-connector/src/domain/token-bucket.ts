/**
 * A token bucket: `ratePerSec` tokens a second, holding at most `burst`. Pure: the caller
 * passes the clock, so the arithmetic is tested without timers.
 */
export interface TokenBucket {
  /** Takes a token if one is there (returns 0), else says how long until one is (ms). */
  take(nowMs: number): number;
}

export function createTokenBucket(ratePerSec: number, burst = Math.max(1, ratePerSec / 10)) {
  if (ratePerSec <= 0) return { take: () => 0 } satisfies TokenBucket;
  const capacity = Math.max(1, burst);
  let tokens = capacity;
  let last: number | undefined;
  return {
    take(nowMs: number): number {
      if (last !== undefined)
        tokens = Math.min(capacity, tokens + ((nowMs - last) * ratePerSec) / 1000);
      last = nowMs;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.ceil(((1 - tokens) * 1000) / ratePerSec);
    },
  } satisfies TokenBucket;
}
