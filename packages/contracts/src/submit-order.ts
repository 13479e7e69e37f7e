import { z } from "zod";
import { MessageContent, RouteReason } from "./events.ts";
import { eventIdFor } from "./ids.ts";
import { TraceContext } from "./trace.ts";

/**
 * Work for a carrier's connector (ADR 0009), published by routing on `<p>.submit.<carrier>`:
 * not an event, so the event store never reads it and the trail does not log it. The
 * connector copies `reason` into `MessageSubmitted`, and `tried`, `scoreKey`, `test` and the
 * content into `SubmitFailed`, so failover needs no state in routing.
 *
 * Nats-Msg-Id = `orderId` = `<messageId>:submit:<attempt>`: an attempt is handed over once.
 * Orders routed together travel as one `EventBatch` on their carrier's subject (Nats-Msg-Id:
 * a digest of their order ids); a connector takes both forms.
 */
export const SubmitOrderData = MessageContent.extend({
  validUntil: z.iso.datetime().nullish(),
  carrierId: z.string(),
  attempt: z.number().int().positive(),
  /** The carriers of attempts 1..attempt in order (this one last). */
  tried: z.array(z.string()),
  /** The key the carrier's scores are counted under: the accepted country, else the prefix. */
  scoreKey: z.string(),
  reason: RouteReason,
  /** A test account's message: failover keeps it on simulators. Absent = live. */
  test: z.boolean().optional(),
});
export type SubmitOrderData = z.infer<typeof SubmitOrderData>;

export const SubmitOrder = z.object({
  orderId: z.string().min(1).max(200),
  type: z.literal("SubmitOrder"),
  version: z.literal(1),
  messageId: z.string().min(1).max(64),
  accountId: z.string().min(1).max(64),
  occurredAt: z.iso.datetime(),
  trace: TraceContext.optional(),
  data: SubmitOrderData,
});
export type SubmitOrder = z.infer<typeof SubmitOrder>;

/** The order's id and Nats-Msg-Id: one per message and attempt. */
export function submitOrderId(messageId: string, attempt: number): string {
  return eventIdFor(messageId, "submit", attempt);
}
