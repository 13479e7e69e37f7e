import { eventIdFor, type MessageEvent, type TraceContext } from "@smsgw/contracts";

/**
 * The events pricing adds to a message's trail, with their deterministic ids. Only
 * refunds: a charge rides on MessageAccepted (ADR 0009), so MessageCharged, still in the
 * catalog for old trails, is no longer produced.
 */

export type RefundReason = "failed" | "not_accepted";

export interface Refund {
  messageId: string;
  accountId: string;
  /** Positive money units: what the charge took. */
  amount: number;
  currency: string;
  reason: RefundReason;
}

export function refundedEvent(
  refund: Refund,
  occurredAt: string,
  trace?: TraceContext,
): MessageEvent {
  return {
    eventId: eventIdFor(refund.messageId, "refunded"),
    type: "MessageRefunded",
    version: 1,
    messageId: refund.messageId,
    accountId: refund.accountId,
    occurredAt,
    trace,
    data: { amount: refund.amount, currency: refund.currency, reason: refund.reason },
  };
}
