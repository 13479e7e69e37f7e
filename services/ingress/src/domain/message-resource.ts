import { toDecimal } from "@smsgw/contracts";
import type { MessageView } from "@smsgw/message-read-model";

/**
 * The message resource of `GET /v1/messages/{id}` (api.md section 2): the read model's view
 * without the account, its cost in currency units.
 */
export type MessageResource = Omit<MessageView, "accountId">;

export function toMessageResource(view: MessageView): MessageResource {
  return {
    messageId: view.messageId,
    status: view.status,
    to: view.to,
    from: view.from,
    parts: view.parts,
    cost: toDecimal(view.cost),
    currency: view.currency,
    reference: view.reference,
    errorCode: view.errorCode,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    statusTimes: { ...view.statusTimes },
    sendAt: view.sendAt,
    validUntil: view.validUntil,
  };
}

/**
 * The message resource after erasure (api.md section 7, ADR 0021): its text null and its
 * number masked as the event store keeps it; status, parts, cost and times unchanged.
 */
export type RedactedMessageResource = MessageResource & { text: null };

export function toRedactedResource(view: MessageView): RedactedMessageResource {
  return { ...toMessageResource(view), text: null };
}
