import type { CancelRequest, CancelResponse } from "@smsgw/contracts";
import type { MessageView } from "./message-view.ts";

/** What every door (HTTP, SMPP, the console) needs to cancel a scheduled message (ADR 0030). */
export interface CancelScheduledDeps {
  /** The message as the event store's projection has it, if it is this account's. */
  getMessage(messageId: string, accountId: string): Promise<MessageView | null>;
  /** NATS request/reply to routing, which holds scheduled messages; throws when it does not answer. */
  askRouting(request: CancelRequest): Promise<CancelResponse>;
  now(): number;
}

/** Why a message cannot be canceled, each finishing "the message …". */
export const NOT_CANCELABLE = {
  not_scheduled: "was not scheduled",
  on_its_way: "is on its way",
  on_its_way_or_final: "is on its way or final",
} as const;
export type NotCancelable = keyof typeof NOT_CANCELABLE;

export type CancelOutcome =
  /** Canceled now or before: it fails `canceled`, refunded, never sent. */
  | { kind: "canceled" }
  /** No such message of this account. */
  | { kind: "not_found" }
  /** On its way, final, or never scheduled (`NOT_CANCELABLE` says it in words). */
  | { kind: "not_cancelable"; reason: NotCancelable }
  /** Accepted a moment ago and routing has not read it yet: ask again shortly. */
  | { kind: "not_held_yet" }
  /** Routing did not answer: the cancel may have taken effect; asking again is harmless. */
  | { kind: "unanswered"; error: unknown };

/**
 * Cancels one scheduled message of an account (ADR 0030): the projection says whether it can
 * still be (waiting for its sendAt, or canceled before), and routing, which holds it until
 * then, decides in one statement whether the cancel beat the send.
 */
export async function cancelScheduled(
  deps: CancelScheduledDeps,
  accountId: string,
  messageId: string,
  /** A door's own condition on the message (SMPP's cancel_sm: its source_addr); else not found. */
  names: (view: MessageView) => boolean = () => true,
): Promise<CancelOutcome> {
  const view = await deps.getMessage(messageId, accountId);
  if (!view || !names(view)) return { kind: "not_found" };
  if (view.status === "failed" && view.errorCode === "canceled") return { kind: "canceled" };
  if (view.status !== "queued" || view.sendAt === null) {
    return {
      kind: "not_cancelable",
      reason: view.sendAt === null ? "not_scheduled" : "on_its_way_or_final",
    };
  }
  let answer: CancelResponse;
  try {
    answer = await deps.askRouting({ accountId, messageId });
  } catch (error) {
    return { kind: "unanswered", error };
  }
  switch (answer.outcome) {
    case "canceled":
      return { kind: "canceled" };
    case "released":
      return { kind: "not_cancelable", reason: "on_its_way" };
    case "not_scheduled":
      // The event store has it scheduled and routing has not read it yet: a moment after its
      // acceptance, at most. Past its sendAt, it has gone on its way.
      return Date.parse(view.sendAt) > deps.now()
        ? { kind: "not_held_yet" }
        : { kind: "not_cancelable", reason: "on_its_way" };
    default:
      return { kind: "unanswered", error: new Error(answer.reason) };
  }
}
