import { z } from "zod";
import { MESSAGE_STATUSES } from "./status.ts";
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
  errorCode: z.string().nullable(),
  reference: z.string().nullable(),
  callbackUrl: z.string().nullable(),
  trace: TraceContext.optional(),
});
export type MessageStatusChanged = z.infer<typeof MessageStatusChanged>;

export function statusChangeId(messageId: string, sequence: number): string {
  return `${messageId}:status:${sequence}`;
}
