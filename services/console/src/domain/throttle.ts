/**
 * Log-in throttling: a key (an email, a client IP) that failed `maxFailures` times within
 * `windowMs` is locked until the oldest of those failures leaves the window. Pure: the
 * state is a list of failure times that the caller keeps, `now` comes in.
 */
export interface ThrottleRule {
  maxFailures: number;
  windowMs: number;
}

/** Failure times still in the window, oldest first. */
export function recentFailures(
  times: readonly number[],
  now: number,
  rule: ThrottleRule,
): number[] {
  return times.filter((t) => now - t < rule.windowMs);
}

/** Milliseconds until the key may try again; 0 when it may try now. */
export function lockedFor(times: readonly number[], now: number, rule: ThrottleRule): number {
  const recent = recentFailures(times, now, rule);
  if (recent.length < rule.maxFailures) return 0;
  const oldest = recent[recent.length - rule.maxFailures] ?? now;
  return Math.max(0, oldest + rule.windowMs - now);
}

/** The times to keep after one more failure (bounded: older ones no longer matter). */
export function withFailure(times: readonly number[], now: number, rule: ThrottleRule): number[] {
  return [...recentFailures(times, now, rule), now].slice(-rule.maxFailures);
}
