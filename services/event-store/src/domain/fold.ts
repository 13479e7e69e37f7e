import type { MessageEvent, MessageStatusChanged, TraceContext } from "@smsgw/contracts";
import { type MessageState, type StatusChange, step } from "./message.ts";

export interface Folded {
  state: MessageState;
  /** The notifications the dispatcher turns into webhooks, in sequence order. */
  notifications: MessageStatusChanged[];
}

/** Folds one message's new events into its state, collecting the status changes they cause. */
export function foldMessage(state: MessageState, events: readonly MessageEvent[]): Folded {
  let current = state;
  const notifications: MessageStatusChanged[] = [];
  for (const event of events) {
    const result = step(current, event);
    current = result.state;
    for (const change of result.changes) {
      notifications.push(statusChanged(current, change, event.trace));
    }
  }
  return { state: current, notifications };
}

/**
 * Whether anyone is told of this change: api.md section 4 reports each status change from
 * `sent` on, to the message's callback URL. The others are never published (they would
 * cost a publish, an outbox row and a consume for the dispatcher to drop); the projection
 * still records every status.
 */
export function isReported(change: MessageStatusChanged): boolean {
  return change.callbackUrl !== null && change.status !== "queued";
}

/** A status change in the contract's shape: everything a webhook body needs. */
export function statusChanged(
  state: MessageState,
  change: StatusChange,
  trace: TraceContext | undefined,
): MessageStatusChanged {
  const { accepted } = state;
  // A status is only derived once acceptance is known (message.ts), so this cannot happen.
  if (!accepted) throw new Error(`status change of ${state.messageId} before its acceptance`);
  return {
    type: "MessageStatusChanged",
    version: 1,
    messageId: state.messageId,
    accountId: state.accountId,
    status: change.status,
    sequence: change.sequence,
    occurredAt: change.occurredAt,
    toNumber: accepted.to,
    fromNumber: accepted.from,
    parts: accepted.parts,
    cost: accepted.cost,
    currency: accepted.currency,
    errorCode: change.errorCode,
    reference: accepted.reference,
    callbackUrl: accepted.callbackUrl,
    ...(trace ? { trace } : {}),
  };
}
