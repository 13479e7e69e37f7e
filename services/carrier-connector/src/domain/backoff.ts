import { commandStatusAdvice } from "@smsgw/smpp";

export type BindFailure =
  /** The carrier answered the bind with an error command_status. */
  | { kind: "refused"; commandStatus: number }
  /** TCP refused or timed out, no bind_resp, or an established session closed. */
  | { kind: "unreachable" };

export interface RetryPlan {
  delayMs: number;
  /** Credentials or configuration are wrong: say so loudly, retry only slowly. */
  alert: boolean;
}

export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
  /** After a refusal that retrying will not fix (bad system_id / password, bind failed). */
  refusedRetryMs: number;
  /** A session that lasted this long was a working bind: the back-off starts over. */
  stableSessionMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = {
  baseMs: 1_000,
  maxMs: 30_000,
  refusedRetryMs: 60_000,
  stableSessionMs: 30_000,
};

/**
 * Exponential back-off with jitter: base * 2^(failures-1), capped, then a random point in
 * its upper half (so carriers coming back do not see every connector rebind at once).
 * `random` is in [0, 1).
 */
export function backoffMs(failures: number, random: number, settings = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/**
 * When to bind again after a failure. A bind refused for credentials (0x0D/0x0E/0x0F:
 * commandStatusAdvice says "stop") is not a network blip: retry slowly and alert, never loop.
 */
export function afterBindFailure(
  failure: BindFailure,
  failures: number,
  random: number,
  settings = DEFAULT_BACKOFF,
): RetryPlan {
  if (failure.kind === "refused") {
    const advice = commandStatusAdvice(failure.commandStatus);
    if (advice.class === "session" && advice.action === "stop") {
      return { delayMs: settings.refusedRetryMs, alert: true };
    }
  }
  return { delayMs: backoffMs(failures, random, settings), alert: false };
}

/**
 * When to bind again after a bound session ended, and the failures in a row it leaves. A
 * session that did not last `stableSessionMs` counts as one more failure: a carrier that takes
 * each bind and turns it away at once (unbind, or a close: over its session limit, in
 * maintenance) is bound again ever more slowly, not every second for ever.
 */
export function afterSessionEnded(
  livedMs: number,
  failuresBefore: number,
  random: number,
  settings = DEFAULT_BACKOFF,
): { failures: number; delayMs: number } {
  const failures = livedMs >= settings.stableSessionMs ? 0 : failuresBefore + 1;
  return { failures, delayMs: backoffMs(Math.max(1, failures), random, settings) };
}

/** A receipt whose id mapping is not stored yet: look again after 50, 100, 200 … 2,000 ms. */
export function mappingRetryDelayMs(attempt: number): number {
  return Math.min(2_000, 50 * 2 ** Math.max(0, attempt - 1));
}

/** A routed event for a carrier with no bound session comes back after 1, 2, 4 … 30 s. */
export function unboundRetryDelayMs(deliveryCount: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, deliveryCount - 1));
}
