import { type EventOf, eventIdFor, type MessageStatusChanged } from "@smsgw/contracts";

/** What one POST came to: an HTTP status, or an error before any status (timeout, refused…). */
export interface AttemptResult {
  httpStatus: number | null;
  error: string | null;
  latencyMs: number;
}

export type AttemptOutcome = EventOf<"WebhookAttempted">["data"]["outcome"];

export type NextStep =
  | { outcome: "delivered" }
  | { outcome: "gave_up"; reason: string }
  | { outcome: "retrying"; delayMs: number };

export interface RetryPolicy {
  /** Longest wait between two attempts. */
  capMs: number;
  /** Retries stop this long after the status change happened. */
  windowMs: number;
}

/** 1 s, 2 s, 4 s … after the 1st, 2nd, 3rd failed delivery, never more than the cap. */
export function webhookRetryDelayMs(deliveryCount: number, capMs: number): number {
  return Math.min(capMs, 1_000 * 2 ** Math.max(0, deliveryCount - 1));
}

/** 2xx delivers, 410 Gone stops, anything else (3xx too: redirects are not followed) retries. */
export function nextStep(
  result: AttemptResult,
  context: { deliveryCount: number; occurredAt: string; now: Date; policy: RetryPolicy },
): NextStep {
  const status = result.httpStatus;
  if (status !== null && status >= 200 && status < 300) return { outcome: "delivered" };
  if (status === 410) return { outcome: "gave_up", reason: "the receiver answered 410 Gone" };
  const delayMs = webhookRetryDelayMs(context.deliveryCount, context.policy.capMs);
  const deadline = Date.parse(context.occurredAt) + context.policy.windowMs;
  if (context.now.getTime() + delayMs > deadline) {
    return { outcome: "gave_up", reason: "retries exhausted" };
  }
  return { outcome: "retrying", delayMs };
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
