/**
 * Attempt throttling: a key (an email, a client IP) with `maxFailures` attempts within
 * `windowMs` that did not succeed is locked until the oldest of them leaves the window. An
 * attempt counts from the moment it is let through, before its outcome is known, and is
 * taken back only if it succeeds: parallel requests cannot all pass the check while the
 * first ones are still being decided. Pure: the state is a list of attempt times that the
 * caller keeps, `now` comes in.
 */
export interface ThrottleRule {
  maxFailures: number;
  windowMs: number;
}

/** Attempt times still in the window, oldest first. */
export function recentAttempts(
  times: readonly number[],
  now: number,
  rule: ThrottleRule,
): number[] {
  return times.filter((t) => now - t < rule.windowMs);
}

/** Milliseconds until the key may try again; 0 when it may try now. */
export function lockedFor(times: readonly number[], now: number, rule: ThrottleRule): number {
  const recent = recentAttempts(times, now, rule);
  if (recent.length < rule.maxFailures) return 0;
  const oldest = recent[recent.length - rule.maxFailures] ?? now;
  return Math.max(0, oldest + rule.windowMs - now);
}

/** The times to keep after one more attempt (bounded: older ones no longer matter). */
export function withAttempt(times: readonly number[], now: number, rule: ThrottleRule): number[] {
  return [...recentAttempts(times, now, rule), now].slice(-rule.maxFailures);
}

/** The times to keep once the attempt made at `at` succeeded: it no longer counts. */
export function withoutAttempt(times: readonly number[], at: number): number[] {
  const index = times.lastIndexOf(at);
  return index < 0 ? [...times] : [...times.slice(0, index), ...times.slice(index + 1)];
}

/**
 * The key to forget when the table of counts is full: the one whose count matters least,
 * fewest attempts still in the window first, then the one whose last attempt is oldest. Keys
 * in `keep` (those just counted) are never chosen. A flood of new keys, each with one
 * attempt, therefore pushes out other single attempts, never a key holding more: a victim's
 * count is not reset by junk.
 */
export function leastWorthKeeping(
  entries: Iterable<readonly [string, readonly number[]]>,
  now: number,
  rule: ThrottleRule,
  keep: ReadonlySet<string>,
): string | undefined {
  let chosen: { key: string; count: number; last: number } | undefined;
  for (const [key, times] of entries) {
    if (keep.has(key)) continue;
    const recent = recentAttempts(times, now, rule);
    const count = recent.length;
    const last = recent[recent.length - 1] ?? Number.NEGATIVE_INFINITY;
    if (count === 0) return key;
    if (!chosen || count < chosen.count || (count === chosen.count && last < chosen.last)) {
      chosen = { key, count, last };
    }
  }
  return chosen?.key;
}
