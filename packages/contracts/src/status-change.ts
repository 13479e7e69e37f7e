import { z } from "zod";
import { MESSAGE_STATUSES, SMPP_RECEIPT_MASKS } from "./status.ts";
import { TraceContext } from "./trace.ts";

/**
 * Published by the event store after it folded a message's events into a new status.
 * It is derived, not part of the audit trail: the dispatcher turns it into webhooks.
 * Carries everything the webhook body needs so the dispatcher reads no other table.
 */
export const MessageStatusChanged = z.object({
  type: z.literal("MessageStatusChanged"),
  version: z.literal(1),
  messageId: z.string(),
  accountId: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  /** Counts the message's status changes from 1: receivers ignore a lower one than seen. */
  sequence: z.number().int().positive(),
  occurredAt: z.iso.datetime(),
  toNumber: z.string(),
  fromNumber: z.string(),
  parts: z.number().int().positive(),
  cost: z.number().int().nonnegative(),
  currency: z.string(),
  /**
   * One of `ERROR_CODES` (ADR 0017) since the fold maps them; a change folded before may hold
   * a carrier's raw code, so readers pass it through `publicErrorCode`.
   */
  errorCode: z.string().nullable(),
  reference: z.string().nullable(),
  callbackUrl: z.string().nullable(),
  /**
   * The message came over SMPP and wants receipts (api.md section 6): smpp-server sends a
   * deliver_sm for the final statuses the mask names (`wantsSmppReceipt`). Absent: none.
   */
  smppReceipt: z.enum(SMPP_RECEIPT_MASKS).optional(),
  /**
   * The message's `validUntil`, only with `smppReceipt` and only when the message set one:
   * smpp-server keeps an undelivered receipt until then (api.md section 6). Additive: absent
   * from changes folded before it, and from every change that owes no SMPP receipt.
   */
  validUntil: z.iso.datetime().optional(),
  trace: TraceContext.optional(),
});
export type MessageStatusChanged = z.infer<typeof MessageStatusChanged>;

export function statusChangeId(messageId: string, sequence: number): string {
  return `${messageId}:status:${sequence}`;
}

/**
 * Several status changes in one publish on `<p>.status.changed` (ADR 0009): the event store
 * publishes a folded batch's changes together, and the dispatcher, the only consumer, takes
 * them as one unit. A lone change is still published on its own, under `statusChangeId`.
 */
export const StatusChangeBatch = z.object({
  type: z.literal("StatusChangeBatch"),
  version: z.literal(1),
  changes: z.array(MessageStatusChanged).min(1).max(10_000),
});
export type StatusChangeBatch = z.infer<typeof StatusChangeBatch>;

/** What a consumer of `<p>.status.changed` receives: one change or a batch of them. */
export const StatusChangeDelivery = z.union([MessageStatusChanged, StatusChangeBatch]);
export type StatusChangeDelivery = z.infer<typeof StatusChangeDelivery>;

export function changesOf(delivery: StatusChangeDelivery): readonly MessageStatusChanged[] {
  return delivery.type === "StatusChangeBatch" ? delivery.changes : [delivery];
}
