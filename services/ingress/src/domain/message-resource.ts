import { type MessageStatus, toDecimal } from "@smsgw/contracts";
import type { MessageView } from "@smsgw/message-read-model";

/** The message resource of `GET /v1/messages/{id}` (api.md section 2). */
export interface MessageResource {
  messageId: string;
  status: MessageStatus;
  to: string;
  from: string;
  parts: number;
  cost: number;
  currency: string;
  reference: string | null;
  errorCode: string | null;
  createdAt: string;
  updatedAt: string;
  statusTimes: Partial<Record<MessageStatus, string>>;
}

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
  };
}
