import { z } from "zod";

/**
 * ingress -> routing: cancel one scheduled message of this account before its `sendAt`
 * (`POST /v1/messages/{id}/cancel`, ADR 0030). Routing holds a scheduled message in its table
 * until the message is due; canceled there, it is never sent: routing publishes its
 * `MessageFailed` (reason `canceled`), which pricing refunds.
 */
export const CancelRequest = z.object({ accountId: z.string(), messageId: z.string() });
export type CancelRequest = z.infer<typeof CancelRequest>;

export const CancelResponse = z.discriminatedUnion("outcome", [
  /** Canceled now or before (idempotent): it fails `canceled`, refunded, never sent. */
  z.object({ outcome: z.literal("canceled") }),
  /** Already taken to be sent (its sendAt came): too late. */
  z.object({ outcome: z.literal("released") }),
  /** Routing holds no such message of this account for a later time (not scheduled, or not yet read). */
  z.object({ outcome: z.literal("not_scheduled") }),
  z.object({ outcome: z.literal("error"), reason: z.string() }),
]);
export type CancelResponse = z.infer<typeof CancelResponse>;
