import {
  type ErrorCode,
  type MessageStatusChanged,
  publicErrorCode,
  statusChangeId,
  toDecimal,
} from "@smsgw/contracts";

/** The JSON body of a delivery report (api.md section 4), field for field. */
export interface ReportBody {
  messageId: string;
  status: MessageStatusChanged["status"];
  toNumber: string;
  fromNumber: string;
  parts: number;
  cost: number;
  currency: string;
  /** One of the documented codes (ADR 0017), never the carrier's own. */
  errorCode: ErrorCode | null;
  reference: string | null;
  sequence: number;
  occurredAt: string;
}

/** Reports start from `sent`, and only for messages that asked for them. */
export function shouldReport(
  change: MessageStatusChanged,
): change is MessageStatusChanged & { callbackUrl: string } {
  return change.callbackUrl !== null && change.status !== "queued";
}

export function reportBody(change: MessageStatusChanged): ReportBody {
  return {
    messageId: change.messageId,
    status: change.status,
    toNumber: change.toNumber,
    fromNumber: change.fromNumber,
    parts: change.parts,
    cost: toDecimal(change.cost),
    currency: change.currency,
    // A change folded before ADR 0017 (still in the stream) may hold a raw code.
    errorCode: publicErrorCode(change.errorCode),
    reference: change.reference,
    sequence: change.sequence,
    occurredAt: change.occurredAt,
  };
}

/** `webhook-id`: one per report, the same on every retry, so receivers drop duplicates. */
export function webhookIdFor(change: Pick<MessageStatusChanged, "messageId" | "sequence">): string {
  return statusChangeId(change.messageId, change.sequence);
}
