import { type EventOf, eventIdFor, type MessageStatusChanged } from "@smsgw/contracts";

/** What one POST came to: an HTTP status, or an error before any status (timeout, refused…). */
export interface AttemptResult {
  httpStatus: number | null;
  error: string | null;
  latencyMs: number;
  /** The receiver's `Retry-After` on a 429 or 503, in ms from the answer (RFC 9110 10.2.3). */
  retryAfterMs?: number | null;
}

export type AttemptOutcome = EventOf<"WebhookAttempted">["data"]["outcome"];

export type NextStep =
  | { outcome: "delivered" }
  | { outcome: "gave_up"; reason: string }
  | { outcome: "retrying"; delayMs: number };

export interface RetryPolicy {
  /** Longest wait between two attempts. */
  capMs: number;
  /** Retried until this long after the status change happened: the last attempt is at (or just after) its end. */
  windowMs: number;
}

/** Up to this fraction is added to each wait, so receivers that failed together are not retried in lockstep. */
export const JITTER = 0.2;

/**
 * 1 s, 2 s, 4 s … after the 1st, 2nd, 3rd failed attempt, never more than the cap, plus
 * up to 20 % jitter (`random` in [0, 1)). Jitter only adds, so the waits still grow.
 */
export function webhookRetryDelayMs(attempt: number, capMs: number, random = 0): number {
  const base = Math.min(capMs, 1_000 * 2 ** Math.min(40, Math.max(0, attempt - 1)));
  return Math.round(base * (1 + JITTER * random));
}

/**
 * `Retry-After` as delay-seconds or an HTTP-date, in ms from `now` (a date in the past is 0);
 * null when absent or unreadable. Only 429 and 503 answers carry one we follow.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Math.min(Number(text), 366 * 86_400) * 1_000;
  // An HTTP-date in any of the three forms a recipient must read (RFC 9110 5.6.7): IMF-fixdate
  // "Tue, 24 Nov 2026 10:01:05 GMT", the obsolete RFC 850 "Tuesday, 24-Nov-26 10:01:05 GMT"
  // and asctime "Tue Nov 24 10:01:05 2026" (GMT, though it does not say so: read as such
  // whatever this process's time zone). A bare number with a sign is none of them.
  const asctime = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.test(text);
  const named = /^[A-Za-z]{3,9},/.test(text);
  const at = asctime ? Date.parse(`${text} GMT`) : named ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** A failure that says the receiver is down or overloaded (not that it refused this report): the whole origin backs off. */
export function isOriginFailure(result: AttemptResult): boolean {
  const status = result.httpStatus;
  return status === null || status === 429 || status >= 500;
}

/** 2xx delivers, 410 Gone stops, anything else (3xx too: redirects are not followed) retries. */
export function nextStep(
  result: AttemptResult,
  context: {
    attempt: number;
    occurredAt: string;
    now: Date;
    policy: RetryPolicy;
    random?: number;
  },
): NextStep {
  const status = result.httpStatus;
  if (status !== null && status >= 200 && status < 300) return { outcome: "delivered" };
  if (status === 410) return { outcome: "gave_up", reason: "the receiver answered 410 Gone" };
  // A receiver's Retry-After is followed when it asks for longer than our back-off, up to the cap.
  const delayMs = Math.max(
    webhookRetryDelayMs(context.attempt, context.policy.capMs, context.random ?? 0),
    Math.min(result.retryAfterMs ?? 0, context.policy.capMs),
  );
  // Retried for the whole window: the last wait is cut short so that one attempt falls at
  // its end, and only an attempt made at or after the end gives up.
  const untilDeadline =
    Date.parse(context.occurredAt) + context.policy.windowMs - context.now.getTime();
  if (untilDeadline <= 0) return { outcome: "gave_up", reason: "retries exhausted" };
  return { outcome: "retrying", delayMs: Math.min(delayMs, untilDeadline) };
}

/** The audit record of one attempt; its id makes a re-run of the same attempt a duplicate. */
export function webhookAttemptedEvent(
  change: MessageStatusChanged,
  attempt: {
    number: number;
    endpoint: string;
    result: AttemptResult;
    outcome: AttemptOutcome;
    now: Date;
  },
): EventOf<"WebhookAttempted"> {
  const event: EventOf<"WebhookAttempted"> = {
    eventId: eventIdFor(change.messageId, "webhook", change.sequence, attempt.number),
    type: "WebhookAttempted",
    version: 1,
    messageId: change.messageId,
    accountId: change.accountId,
    occurredAt: attempt.now.toISOString(),
    data: {
      sequence: change.sequence,
      status: change.status,
      attempt: attempt.number,
      endpoint: attempt.endpoint,
      httpStatus: attempt.result.httpStatus,
      latencyMs: attempt.result.latencyMs,
      error: attempt.result.error,
      outcome: attempt.outcome,
    },
  };
  return change.trace ? { ...event, trace: change.trace } : event;
}
