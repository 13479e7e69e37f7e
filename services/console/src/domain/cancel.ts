import { type CancelOutcome, type MessageView, NOT_CANCELABLE } from "@smsgw/message-read-model";

/**
 * Canceling a scheduled message from its page (ADR 0030), the console's part: whether the
 * page offers it, and what the page says after. The decision itself is `cancelScheduled`'s
 * (`@smsgw/message-read-model`), shared with the API.
 */

/** The page offers "Cancel scheduled message" while the message waits for its sendAt. */
export function awaitsSendAt(view: Pick<MessageView, "status" | "sendAt">, nowMs: number): boolean {
  return view.status === "queued" && view.sendAt !== null && Date.parse(view.sendAt) > nowMs;
}

function notCancelable(why: string): string {
  return `Not canceled: the message ${why}. Only a message waiting for its scheduled time can be canceled.`;
}

/** What the message page says after a cancel, keyed as the redirect's `?cancel=` names it. */
export const CANCEL_NOTICES = {
  canceled:
    "Canceled: the message will not be sent. Its status turns failed (canceled) and its cost is refunded within a moment.",
  not_scheduled: notCancelable(NOT_CANCELABLE.not_scheduled),
  on_its_way: notCancelable(NOT_CANCELABLE.on_its_way),
  on_its_way_or_final: notCancelable(NOT_CANCELABLE.on_its_way_or_final),
  not_held_yet:
    "Not canceled yet: the message was accepted a moment ago and is not held for its scheduled time yet. Try again in a moment.",
  unanswered:
    "No answer from the router: the cancel may have taken effect. Reload the page in a moment to see the status; asking again is harmless.",
} as const;
export type CancelNotice = keyof typeof CANCEL_NOTICES;

/** The notice for an outcome of `cancelScheduled` (not found is the page's 404, no notice). */
export function cancelNoticeOf(
  outcome: Exclude<CancelOutcome, { kind: "not_found" }>,
): CancelNotice {
  switch (outcome.kind) {
    case "canceled":
    case "not_held_yet":
    case "unanswered":
      return outcome.kind;
    case "not_cancelable":
      return outcome.reason;
    default:
      return outcome satisfies never;
  }
}

/**
 * Whether a notice can be true of the message as the page shows it: the query string is
 * anyone's to write, so a link cannot have the page say "canceled" of a message that was never
 * scheduled or went out, nor "not scheduled" of one that was.
 */
export function noticeFits(
  notice: CancelNotice,
  view: Pick<MessageView, "status" | "sendAt" | "errorCode">,
): boolean {
  switch (notice) {
    case "canceled":
      return (
        view.sendAt !== null &&
        (view.status === "queued" || (view.status === "failed" && view.errorCode === "canceled"))
      );
    case "not_scheduled":
      return view.sendAt === null;
    default:
      return view.sendAt !== null;
  }
}

/** The `?cancel=` of the message page, if it names a notice. */
export function readCancelNotice(value: unknown): CancelNotice | undefined {
  return typeof value === "string" && Object.hasOwn(CANCEL_NOTICES, value)
    ? (value as CancelNotice)
    : undefined;
}
