import { eventIdFor, type MessageEvent, type TraceContext } from "@smsgw/contracts";
import type { Charge } from "./authorize.ts";

/** The events pricing adds to a message's trail, with their deterministic ids. */

export function chargedEvent(
  charge: Charge,
  occurredAt: string,
  trace?: TraceContext,
): MessageEvent {
  return {
    eventId: eventIdFor(charge.messageId, "charged"),
    type: "MessageCharged",
    version: 1,
    messageId: charge.messageId,
    accountId: charge.accountId,
    occurredAt,
    trace,
    data: {
      amount: charge.amount,
      currency: charge.currency,
      pricePerPart: charge.pricePerPart,
      parts: charge.parts,
    },
  };
}

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
