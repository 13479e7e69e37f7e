import { attemptKeys, type TypedSecret } from "../domain/attempt-keys.ts";
import {
  leastWorthKeeping,
  lockedFor,
  type ThrottleRule,
  withAttempt,
  withoutAttempt,
} from "../domain/throttle.ts";

/** How many keys are kept before the least worth keeping are forgotten. */
const MAX_KEYS = 10_000;

/**
 * Attempt times per key (an email, a user's codes, a client IP), in this replica's memory.
 * `take` checks and counts in one synchronous step: a handler takes before its first `await`,
 * so a burst of parallel requests is let through exactly up to the limit.
 */
export class Attempts {
  private readonly times = new Map<string, number[]>();
  private readonly rule: ThrottleRule;
  private readonly maxKeys: number;
  constructor(rule: ThrottleRule, maxKeys = MAX_KEYS) {
    this.rule = rule;
    this.maxKeys = maxKeys;
  }

  /**
   * Counts one attempt against every key and returns 0; or, when any key is locked, counts
   * nothing and returns the milliseconds to wait.
   */
  take(keys: readonly string[], now: number): number {
    const wait = Math.max(
      0,
      ...keys.map((k) => lockedFor(this.times.get(k) ?? [], now, this.rule)),
    );
    if (wait > 0) return wait;
    for (const key of keys)
      this.times.set(key, withAttempt(this.times.get(key) ?? [], now, this.rule));
    this.forgetLeastWorthKeeping(now, new Set(keys));
    return 0;
  }

  /** The attempt taken at `at` succeeded (or failed through no doing of the client's). */
  giveBack(keys: readonly string[], at: number): void {
    for (const key of keys) {
      const kept = this.times.get(key);
      if (kept) this.times.set(key, withoutAttempt(kept, at));
    }
  }

  /** Forgets every attempt of the key (a right password clears its email's). */
  clear(key: string): void {
    this.times.delete(key);
  }

  /** The attempts of a key still in the window (for tests and metrics). */
  count(key: string, now: number): number {
    return (this.times.get(key) ?? []).filter((t) => now - t < this.rule.windowMs).length;
  }

  /** Over the limit: forgets one key at a time, the least worth keeping, never more. */
  private forgetLeastWorthKeeping(now: number, keep: ReadonlySet<string>): void {
    while (this.times.size > this.maxKeys) {
      const key = leastWorthKeeping(this.times, now, this.rule, keep);
      if (key === undefined) return;
      this.times.delete(key);
    }
  }
}

export type SecretCheck =
  | { outcome: "right" }
  | { outcome: "wrong" }
  | { outcome: "locked"; waitMs: number };

/**
 * A secret typed in (a password at log-in or again before a sensitive action, a two-factor
 * code), counted before `verify` awaits anything against the keys `attemptKeys` names; a
 * right one clears what that secret's failures count (the email's for a password, the
 * user's codes for a code) and gives the client's attempt back. Log-in and
 * re-authentication share the counts, so a stolen session cannot guess faster through the
 * rotation form.
 */
export async function checkSecret(
  attempts: Attempts,
  secret: TypedSecret,
  now: number,
  verify: () => Promise<boolean>,
): Promise<SecretCheck> {
  const { counted, clearedWhenRight } = attemptKeys(secret);
  const waitMs = attempts.take(counted, now);
  if (waitMs > 0) return { outcome: "locked", waitMs };
  if (!(await verify())) return { outcome: "wrong" };
  for (const key of clearedWhenRight) attempts.clear(key);
  attempts.giveBack(
    counted.filter((key) => !clearedWhenRight.includes(key)),
    now,
  );
  return { outcome: "right" };
}
