import {
  type AccountBalanceLow,
  type ErrorCode,
  type InboundDelivery,
  type InboundView,
  inboundView,
  type MessageStatusChanged,
  publicErrorCode,
  statusChangeId,
  toDecimal,
} from "@smsgw/contracts";

import { type BalanceBody, balanceBody } from "./balance-report.ts";

/** The JSON body of a delivery report (api.md section 4), field for field. */
export interface ReportBody {
  /** Tells a receiver that takes reports and inbound messages at one URL which this is. */
  type: "status";
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

/** The JSON body of an inbound message's webhook (api.md section 5). */
export type InboundBody = { type: "inbound" } & InboundView;

/** A status change that is reported: it has a callback URL. */
export type ReportedChange = MessageStatusChanged & { callbackUrl: string };

/** An inbound message with the URL it goes to (its number's, or the account's default). */
export type AddressedInbound = InboundDelivery & { url: string };

/** A low-balance warning with the URL it goes to: the account's default at the crossing. */
export type BalanceWarning = AccountBalanceLow & { callbackUrl: string };

/**
 * What a webhook job POSTs: a message's status change, an inbound message, or a low-balance
 * warning (ADR 0020: the same queue, signing, retries and per-origin isolation).
 */
export type WebhookSource = ReportedChange | AddressedInbound | BalanceWarning;

/**
 * Where an inbound message is POSTed: its number's inboundUrl, else the account's default
 * callback URL; null when neither is set (it stays listed by the API, not POSTed).
 */
export function addressInbound(
  delivery: InboundDelivery,
  defaultUrl: string | null | undefined,
): AddressedInbound | null {
  const url = delivery.url ?? defaultUrl ?? null;
  return url === null || url === "" ? null : { ...delivery, url };
}

/** Reports start from `sent`, and only for messages that asked for them. */
export function shouldReport(change: MessageStatusChanged): change is ReportedChange {
  return change.callbackUrl !== null && change.status !== "queued";
}

export function reportBody(change: MessageStatusChanged): ReportBody {
  return {
    type: "status",
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

export function inboundBody(delivery: InboundDelivery): InboundBody {
  return { type: "inbound", ...inboundView(delivery) };
}

/** `webhook-id`: one per report, the same on every retry, so receivers drop duplicates. */
export function webhookIdFor(change: Pick<MessageStatusChanged, "messageId" | "sequence">): string {
  return statusChangeId(change.messageId, change.sequence);
}

/**
 * Where a job POSTs, what, under which webhook-id, and since when it is retried (the retry
 * window runs from the status change, or from the inbound message's arrival).
 */
export function webhookOf(source: WebhookSource): {
  url: string;
  body: ReportBody | InboundBody | BalanceBody;
  webhookId: string;
  occurredAt: string;
} {
  if (source.type === "AccountBalanceLow") {
    return {
      url: source.callbackUrl,
      body: balanceBody(source),
      webhookId: source.eventId,
      occurredAt: source.occurredAt,
    };
  }
  if (source.type === "InboundDelivery") {
    return {
      url: source.url,
      body: inboundBody(source),
      webhookId: source.id,
      occurredAt: source.receivedAt,
    };
  }
  return {
    url: source.callbackUrl,
    body: reportBody(source),
    webhookId: webhookIdFor(source),
    occurredAt: source.occurredAt,
  };
}
