import { type EventOf, eventIdFor, type MessageEvent } from "@smsgw/contracts";
import type { FailDecision, RouteChoice } from "./decide.ts";

/** What every event routing writes inherits from the event that caused it. */
type Cause = Pick<MessageEvent, "messageId" | "accountId" | "trace">;

function envelopeOf(cause: Cause, eventId: string, now: Date) {
  const base = {
    eventId,
    version: 1 as const,
    messageId: cause.messageId,
    accountId: cause.accountId,
    occurredAt: now.toISOString(),
  };
  return cause.trace ? { ...base, trace: cause.trace } : base;
}

/** `MessageRouted`, carrying the content the connector needs to submit. */
export function routedEvent(
  accepted: EventOf<"MessageAccepted">,
  choice: RouteChoice,
  now: Date,
): EventOf<"MessageRouted"> {
  const { to, from, text, encoding, parts } = accepted.data;
  return {
    ...envelopeOf(accepted, eventIdFor(accepted.messageId, "routed", choice.attempt), now),
    type: "MessageRouted",
    data: {
      to,
      from,
      text,
      encoding,
      parts,
      carrierId: choice.carrierId,
      attempt: choice.attempt,
      reason: { matchedPrefix: choice.matchedPrefix, candidates: choice.candidates },
    },
  };
}

/** `MessageFailed`: a message fails once, so its id is fixed per message. */
export function failedEvent(
  cause: Cause,
  decision: FailDecision,
  now: Date,
): EventOf<"MessageFailed"> {
  return {
    ...envelopeOf(cause, eventIdFor(cause.messageId, "failed"), now),
    type: "MessageFailed",
    data: { reason: decision.reason, errorCode: decision.errorCode, detail: decision.detail },
  };
}
