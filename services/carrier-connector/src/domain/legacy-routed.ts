import type { EventOf, SubmitOrder } from "@smsgw/contracts";
import { submitOrderId } from "@smsgw/contracts";

/**
 * A `MessageRouted` published before ADR 0009, still waiting in a routed durable when the
 * connector was upgraded, as the submit order it stands for. It knows only the carrier of
 * its own attempt (routing's state KV had the others, and it is gone), and the score key
 * its reason recorded.
 */
export function orderFromRouted(routed: EventOf<"MessageRouted">): SubmitOrder {
  const { carrierId, attempt, reason, ...content } = routed.data;
  const scoreKey = typeof reason.scoreKey === "string" ? reason.scoreKey : reason.matchedPrefix;
  return {
    orderId: submitOrderId(routed.messageId, attempt),
    type: "SubmitOrder",
    version: 1,
    messageId: routed.messageId,
    accountId: routed.accountId,
    occurredAt: routed.occurredAt,
    ...(routed.trace ? { trace: routed.trace } : {}),
    data: {
      ...content,
      carrierId,
      attempt,
      tried: [carrierId],
      scoreKey,
      reason,
      ...(reason.test === true ? { test: true } : {}),
    },
  };
}
