import {
  type EventCause,
  type EventOf,
  envelopeFor,
  eventIdFor,
  messageContentOf,
  publicErrorCodeOfFailure,
  type SubmitOrder,
  submitOrderId,
} from "@smsgw/contracts";
import type { FailDecision, RouteChoice } from "./decide.ts";

/**
 * The submit order of one attempt (ADR 0009): the content the connector sends, and the
 * state failover needs (carriers tried, score key, test flag), which comes back in a
 * SubmitFailed. Not an event: only the carrier's connector reads it.
 */
export function submitOrder(cause: EventCause, choice: RouteChoice, now: Date): SubmitOrder {
  const { scoreKey, tried, test } = choice.state;
  const orderId = submitOrderId(cause.messageId, choice.attempt);
  return {
    orderId,
    type: "SubmitOrder",
    version: 1,
    messageId: cause.messageId,
    accountId: cause.accountId,
    occurredAt: now.toISOString(),
    ...(cause.trace ? { trace: cause.trace } : {}),
    data: {
      ...messageContentOf(choice.state),
      carrierId: choice.carrierId,
      attempt: choice.attempt,
      tried,
      scoreKey,
      reason: choice.reason,
      ...(test ? { test } : {}),
    },
  };
}

/**
 * `MessageFailed`: a message fails once, so its id is fixed per message. The raw code and
 * the detail (which name carriers) are for operators; `publicErrorCode` is what the customer
 * is told (ADR 0017).
 */
export function failedEvent(
  cause: EventCause,
  decision: FailDecision,
  now: Date,
): EventOf<"MessageFailed"> {
  return {
    ...envelopeFor(cause, eventIdFor(cause.messageId, "failed"), now),
    type: "MessageFailed",
    data: {
      reason: decision.reason,
      errorCode: decision.errorCode,
      detail: decision.detail,
      publicErrorCode: publicErrorCodeOfFailure(decision),
    },
  };
}
