import { lockedFor, type ThrottleRule, withAttempt, withoutAttempt } from "../domain/throttle.ts";

/** More keys than this and those no longer locked are forgotten. */
const MAX_KEYS = 10_000;

/**
 * Attempt times per key (an email, a client IP), in this replica's memory. `take` checks
 * and counts in one synchronous step: a handler takes before its first `await`, so a burst
 * of parallel requests is let through exactly up to the limit.
 */
export class Attempts {
  private readonly times = new Map<string, number[]>();
  private readonly rule: ThrottleRule;
  constructor(rule: ThrottleRule) {
    this.rule = rule;
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
    if (this.times.size > MAX_KEYS) this.forgetUnlocked(now);
    return 0;
  }

  /** The attempt taken at `at` succeeded (or failed through no doing of the client's). */
  giveBack(keys: readonly string[], at: number): void {
    for (const key of keys) {
      const kept = this.times.get(key);
      if (kept) this.times.set(key, withoutAttempt(kept, at));
    }
  }

  /** Forgets every attempt of the key (a correct password clears its email). */
  clear(key: string): void {
    this.times.delete(key);
  }

  private forgetUnlocked(now: number): void {
    for (const [key, times] of this.times) {
      if (lockedFor(times, now, this.rule) === 0) this.times.delete(key);
    }
  }
}

export type PasswordCheck =
  | { outcome: "right" }
  | { outcome: "wrong" }
  | { outcome: "locked"; waitMs: number };

/**
 * A password typed in (log-in, or again before a rotation), counted against the email's and
 * the client's attempts before `verify` awaits anything: a right one clears the email's
 * count and gives the client's attempt back. Log-in and re-authentication share the counts,
 * so a stolen session cannot guess the password faster through the rotation form.
 */
export async function checkPassword(
  attempts: Attempts,
  who: { email: string; ip: string },
  now: number,
  verify: () => Promise<boolean>,
): Promise<PasswordCheck> {
  const emailKey = `email:${who.email}`;
  const ipKey = `ip:${who.ip}`;
  const waitMs = attempts.take([emailKey, ipKey], now);
  if (waitMs > 0) return { outcome: "locked", waitMs };
  if (!(await verify())) return { outcome: "wrong" };
  attempts.clear(emailKey);
  attempts.giveBack([ipKey], now);
  return { outcome: "right" };
}
