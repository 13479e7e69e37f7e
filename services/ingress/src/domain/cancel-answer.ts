import { type ApiError, apiError } from "@smsgw/message-acceptance";
import type { CancelOutcome } from "@smsgw/message-read-model";
import { NOT_CANCELABLE } from "@smsgw/message-read-model";

/** Routing did not answer: the cancel may have been carried out. */
export const CANCEL_UNANSWERED = apiError(
  "server_error",
  "the cancel got no answer: it may have taken effect; ask again (harmless) or read the message",
);

/**
 * How the native API words a cancel that did not cancel (ADR 0030), the same for one message
 * (`POST /v1/messages/{id}/cancel`, its HTTP answer) and for many (`POST /v1/messages/cancel`,
 * an item's): null when it is canceled. Another account's message is not found, never more.
 */
export function cancelRefusal(outcome: CancelOutcome): ApiError | null {
  switch (outcome.kind) {
    case "canceled":
      return null;
    case "not_found":
      return apiError("not_found", "no such message");
    case "not_cancelable":
      return apiError(
        "message_not_cancelable",
        `the message ${NOT_CANCELABLE[outcome.reason]}: only a message waiting for its sendAt can be canceled`,
      );
    case "not_held_yet":
      return apiError(
        "server_error",
        "the message is not held for its sendAt yet; retry in a moment",
      );
    case "unanswered":
      return CANCEL_UNANSWERED;
    default:
      return outcome satisfies never;
  }
}
