import {
  type EventCause,
  type EventOf,
  envelopeFor,
  errorCodeOfReceipt,
  eventIdFor,
  type FailoverContext,
  type MessageEvent,
  messageContentOf,
  type ReceiptErrorOverrides,
  type SubmitOrder,
} from "@smsgw/contracts";
import { partStatusOf } from "./receipt-status.ts";
import type { AcceptedPart } from "./submit-outcome.ts";

/**
 * Every part accepted: the carrier's id of each (as the carrier wrote it), and why routing
 * chose the carrier (the order is not logged, so the trail says it here).
 */
export function submittedEvent(
  order: SubmitOrder,
  parts: readonly AcceptedPart[],
  now: Date,
): EventOf<"MessageSubmitted"> {
  const { carrierId, attempt, reason } = order.data;
  return {
    ...envelopeFor(order, eventIdFor(order.messageId, "submitted", attempt), now),
    type: "MessageSubmitted",
    data: {
      carrierId,
      attempt,
      parts: parts.map(({ part, carrierMessageId }) => ({ part, carrierMessageId })),
      reason,
    },
  };
}

/** What routing needs to fail the message over, handed back from the order. */
export function failoverOf(order: SubmitOrder): FailoverContext {
  const { tried, scoreKey, test } = order.data;
  return {
    // With `concat`: the next carrier splits as this one was told to, as it was billed.
    content: messageContentOf(order.data),
    tried,
    scoreKey,
    ...(test ? { test } : {}),
  };
}

export interface SubmitFailure {
  retryable: boolean;
  commandStatus: number | null;
  detail: string;
}

export function submitFailedEvent(
  order: SubmitOrder,
  failure: SubmitFailure,
  now: Date,
): EventOf<"SubmitFailed"> {
  const { carrierId, attempt } = order.data;
  return {
    ...envelopeFor(order, eventIdFor(order.messageId, "submit_failed", attempt), now),
    type: "SubmitFailed",
    data: {
      carrierId,
      attempt,
      retryable: failure.retryable,
      commandStatus: failure.commandStatus,
      detail: failure.detail,
      // Only a retryable failure is failed over; a permanent one fails the message as it is.
      ...(failure.retryable ? { failover: failoverOf(order) } : {}),
    },
  };
}

export interface MappedReceipt {
  cause: EventCause;
  carrierId: string;
  /** The id as the receipt wrote it. */
  carrierMessageId: string;
  part: number;
  stat: string;
  /** The receipt's err, or "" when it had none. */
  err: string;
  /** The carrier's own meanings of err values (its config `receiptErrors`). */
  receiptErrors?: ReceiptErrorOverrides | undefined;
}

/**
 * One part's receipt; the same stat for the same part is one event, however often it comes.
 * It keeps the raw err for operators and the documented code customers are told (ADR 0017).
 */
export function receiptEvent(receipt: MappedReceipt, now: Date): EventOf<"ReceiptReceived"> {
  const { cause, part, stat } = receipt;
  return {
    ...envelopeFor(cause, eventIdFor(cause.messageId, "receipt", part, stat), now),
    type: "ReceiptReceived",
    data: {
      carrierId: receipt.carrierId,
      carrierMessageId: receipt.carrierMessageId,
      part,
      stat,
      errorCode: receipt.err === "" ? null : receipt.err,
      partStatus: partStatusOf(stat),
      publicErrorCode: errorCodeOfReceipt(
        { stat, err: receipt.err === "" ? null : receipt.err },
        receipt.receiptErrors,
      ),
    },
  };
}

/** No final receipt by the message's validity: one event per message, whatever the sweeps. */
export function expiredEvent(
  cause: EventCause,
  carrierId: string,
  validUntil: Date,
  now: Date,
): EventOf<"ValidityExpired"> {
  return {
    ...envelopeFor(cause, eventIdFor(cause.messageId, "expired"), now),
    type: "ValidityExpired",
    data: { carrierId, validUntil: validUntil.toISOString() },
  };
}

export type ConnectorEvent = Extract<
  MessageEvent,
  { type: "MessageSubmitted" | "SubmitFailed" | "ReceiptReceived" | "ValidityExpired" }
>;

/**
 * The events an order ends in, each told where that order sits in the stream (`orderSeq`),
 * so the event store can delete the order's copy of the content on erasure (ADR 0021). The
 * sequences come from the deliveries, by message and attempt; events of orders not in
 * `seqs` (none today) are left as they are.
 */
export function withOrderSeqs(
  events: readonly ConnectorEvent[],
  seqs: ReadonlyMap<string, number>,
): ConnectorEvent[] {
  return events.map((event): ConnectorEvent => {
    if (event.type !== "MessageSubmitted" && event.type !== "SubmitFailed") return event;
    const orderSeq = seqs.get(orderKey(event.messageId, event.data.attempt));
    if (orderSeq === undefined) return event;
    return event.type === "MessageSubmitted"
      ? { ...event, data: { ...event.data, orderSeq } }
      : { ...event, data: { ...event.data, orderSeq } };
  });
}

/** The key `withOrderSeqs` looks an order's sequence up by. */
export const orderKey = (messageId: string, attempt: number) => `${messageId}:${attempt}`;
