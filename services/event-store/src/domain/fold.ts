import {
  FINAL_STATUSES,
  MESSAGE_STATUSES,
  type MessageEvent,
  type MessageStatus,
  type MessageStatusChanged,
  type TraceContext,
  wantsSmppReceipt,
} from "@smsgw/contracts";
import { type MessageState, type StatusChange, step } from "./message.ts";

export interface Folded {
  state: MessageState;
  /** Every status change the events caused, in sequence order (reported or not). */
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

/** `sent,final`: the report mask of a message sent without `callbackStatuses`. */
const DEFAULT_REPORTED: ReadonlySet<MessageStatus> = new Set(["sent", ...FINAL_STATUSES]);

/**
 * Whether anyone is told of this change: api.md section 4 reports the statuses the message's
 * mask asks for (default `sent,final`) to its callback URL. The others are never published
 * (a publish and a consume for the dispatcher to drop); the projection still records every
 * status.
 */
export function isReported(state: MessageState, change: MessageStatusChanged): boolean {
  const accepted = state.accepted;
  // A message submitted over SMPP gets its receipts from the same changes (smpp-server).
  if (wantsSmppReceipt(accepted?.smppReceipt, change.status)) return true;
  if (!accepted?.callbackUrl || change.status === "queued") return false;
  const wanted = accepted.callbackStatuses;
  return wanted ? wanted.includes(change.status) : DEFAULT_REPORTED.has(change.status);
}

/**
 * Every status change a projection has made, derived again from it: the k-th status it
 * reached (statuses only move forward, one rank at a time or more) had sequence k. A batch
 * redelivered after its commit finds its events already logged and publishes these again
 * under the same ids, so a crash between the commit and the publishes loses no report.
 */
export function statusChangesOf(state: MessageState): MessageStatusChanged[] {
  if (!state.accepted || state.status === null) return [];
  const reached = MESSAGE_STATUSES.filter((status) => state.statusTimes[status] !== undefined);
  // A projection written by an older fold may lack a time: then only its latest is certain.
  if (reached.length !== state.statusSeq || reached.at(-1) !== state.status) {
    const at = state.statusTimes[state.status] ?? state.updatedAt ?? state.accepted.createdAt;
    return [
      statusChanged(
        state,
        {
          status: state.status,
          sequence: state.statusSeq,
          occurredAt: at,
          errorCode: state.errorCode,
        },
        undefined,
      ),
    ];
  }
  return reached.map((status, index) =>
    statusChanged(
      state,
      {
        status,
        sequence: index + 1,
        occurredAt: state.statusTimes[status] ?? "",
        errorCode: FINAL_STATUSES.has(status) ? state.errorCode : null,
      },
      undefined,
    ),
  );
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
    ...(accepted.smppReceipt ? { smppReceipt: accepted.smppReceipt } : {}),
    // Only for an SMPP receipt: how long smpp-server keeps it while no receiver is bound.
    ...(accepted.smppReceipt && accepted.validUntil ? { validUntil: accepted.validUntil } : {}),
    ...(trace ? { trace } : {}),
  };
}
