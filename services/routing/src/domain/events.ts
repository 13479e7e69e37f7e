import { type EventCause, type EventOf, envelopeFor, eventIdFor } from "@smsgw/contracts";
import type { FailDecision, RouteChoice } from "./decide.ts";

/** `MessageRouted`, carrying the content the connector needs to submit. */
export function routedEvent(
  cause: EventCause,
  choice: RouteChoice,
  now: Date,
): EventOf<"MessageRouted"> {
  const { to, from, text, encoding, parts, validUntil } = choice.state;
  return {
    ...envelopeFor(cause, eventIdFor(cause.messageId, "routed", choice.attempt), now),
    type: "MessageRouted",
    data: {
      to,
      from,
      text,
      encoding,
      parts,
      carrierId: choice.carrierId,
      attempt: choice.attempt,
      reason: choice.reason,
      ...(validUntil ? { validUntil } : {}),
    },
  };
}

/** `MessageFailed`: a message fails once, so its id is fixed per message. */
export function failedEvent(
  cause: EventCause,
  decision: FailDecision,
  now: Date,
): EventOf<"MessageFailed"> {
  return {
    ...envelopeFor(cause, eventIdFor(cause.messageId, "failed"), now),
    type: "MessageFailed",
    data: { reason: decision.reason, errorCode: decision.errorCode, detail: decision.detail },
  };
}
