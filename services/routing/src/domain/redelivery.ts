/**
 * Whether a "fail" decision may be published (`MessageFailed`, which pricing refunds). Pure:
 * the handler passes what it knows of the delivery and, for a redelivery only, whether the
 * message's record shows an attempt after the one decided on.
 *
 * A decision is made again on every delivery, with the route table of the moment. The first
 * delivery may have ordered attempt N+1 (`<id>:submit:<N+1>`) and lost its ack; if the table
 * changed since, the redelivery may decide "fail" for the same attempt. Publishing it would
 * refund a message a carrier may already have taken. So a redelivered failure is published
 * only when no later attempt shows in the message's record (the event store's, through the
 * read model): a submission, a refusal or a receipt of attempt N+1 or later, or a later
 * status, says the order was given and acted on, and the failure is dropped. When nothing
 * shows yet, the order may still be waiting at the connector: the failure waits
 * (`waitMs` at a time, for `waits` redeliveries) before it is published after all.
 *
 * - `publish`: publish the failure (a first delivery never pays the look-up).
 * - `drop`: an order of a later attempt stands: ack, publish nothing.
 * - `wait`: look again after `delayMs` (nak).
 */
export type FailureStep =
  | { kind: "publish" }
  | { kind: "drop" }
  | { kind: "wait"; delayMs: number };

export interface FailureInput {
  /** 1 on the first delivery (a scheduled message's: the times its row was taken). */
  deliveryCount: number;
  /** Whether the record shows an attempt after this one; undefined when not looked up. */
  laterAttemptSeen: boolean | undefined;
  policy: { waitMs: number; waits: number };
}

/** Whether the record must be looked at before the failure is published. */
export function needsLookup(deliveryCount: number): boolean {
  return deliveryCount > 1;
}

export function failureStep(input: FailureInput): FailureStep {
  if (!needsLookup(input.deliveryCount)) return { kind: "publish" };
  if (input.laterAttemptSeen === true) return { kind: "drop" };
  // The first redelivery is the second delivery: it and `waits` more look again.
  if (input.deliveryCount <= input.policy.waits + 1)
    return { kind: "wait", delayMs: input.policy.waitMs };
  return { kind: "publish" };
}

/** The defaults: about five minutes for a waiting order to show in the record. */
export const FAILURE_WAIT_POLICY = { waitMs: 60_000, waits: 5 } as const;
