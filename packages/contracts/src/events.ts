import { z } from "zod";
import { MESSAGE_STATUSES, SMPP_RECEIPT_MASKS } from "./status.ts";
import { TraceContext } from "./trace.ts";

/**
 * The event catalog: every event about a message, in one envelope, each type a
 * versioned zod schema. Schemas change additively (new fields optional); a breaking
 * change is a new `version` next to the old one.
 */

const Encoding = z.enum(["gsm7", "ucs2"]);
const PartStatus = z.enum(["pending", "delivered", "undelivered", "expired"]);
export type PartStatus = z.infer<typeof PartStatus>;

/** What a carrier needs to send the message; copied from acceptance into routing. */
export const MessageContent = z.object({
  to: z.string(),
  from: z.string(),
  text: z.string(),
  encoding: Encoding,
  /** The parts charged for, which are the parts sent. */
  parts: z.number().int().positive(),
  /**
   * The concatenation header `parts` was counted with (ADR 0011): `udh16` (152 GSM-7 septets
   * or 66 UCS-2 units per part) when the route may use a carrier with a 16-bit-reference UDH;
   * absent = `udh8` (153 / 67). Every carrier splits with the room this leaves, so the parts
   * sent are the parts charged whichever carrier takes the message.
   */
  concat: z.enum(["udh8", "udh16"]).optional(),
});

/**
 * The content of whatever carries it (an accepted event, a submit order, a failover context),
 * without the carrier's other fields; `concat` and `validUntil` only when set.
 */
export function messageContentOf(
  data: z.infer<typeof MessageContent> & { validUntil?: string | null | undefined },
): z.infer<typeof MessageContent> & { validUntil?: string } {
  const { to, from, text, encoding, parts, concat, validUntil } = data;
  return {
    to,
    from,
    text,
    encoding,
    parts,
    ...(concat ? { concat } : {}),
    ...(validUntil ? { validUntil } : {}),
  };
}

export const MessageAcceptedData = MessageContent.extend({
  country: z.string().nullable(),
  cost: z.number().int().nonnegative(),
  currency: z.string(),
  callbackUrl: z.string().nullable(),
  reference: z.string().nullable(),
  /** Not before this instant (scheduled sending); absent or null = now. */
  sendAt: z.iso.datetime().nullish(),
  /** Give up (status expired) if not delivered by then; absent or null = carrier default. */
  validUntil: z.iso.datetime().nullish(),
  /** From a test account: routing hands it only to simulated carriers. Absent = false. */
  test: z.boolean().optional(),
  /** The charge rides on acceptance (ADR 0009): the price of one part. Absent on old events. */
  pricePerPart: z.number().int().nonnegative().optional(),
  /**
   * The statuses reported to the callback URL (api.md section 4, `callbackStatuses`),
   * expanded to a list. Absent = the default `sent,final`.
   */
  callbackStatuses: z.array(z.enum(MESSAGE_STATUSES)).optional(),
  /**
   * Sent over SMPP with registered_delivery (api.md section 6): which final statuses come
   * back to the account's binds as deliver_sm receipts, `final` (all) or `failure` (all but
   * delivered). Absent: no SMPP receipt.
   */
  smppReceipt: z.enum(SMPP_RECEIPT_MASKS).optional(),
  /**
   * The last instant (pricing's answer to the charge) at which this event may be stored:
   * a copy stored later is void, and every consumer ignores it (ADR 0022,
   * `acceptanceVoid`). Absent on old events: never void.
   */
  publishBy: z.iso.datetime().optional(),
});

export const MessageChargedData = z.object({
  amount: z.number().int().nonnegative(),
  currency: z.string(),
  pricePerPart: z.number().int().nonnegative(),
  parts: z.number().int().positive(),
});

/** Why routing chose a carrier: at least the prefix and the candidates; scoring details may follow. */
export const RouteReason = z
  .object({ matchedPrefix: z.string(), candidates: z.array(z.string()) })
  .catchall(z.unknown());
export type RouteReason = z.infer<typeof RouteReason>;

/**
 * No longer produced (ADR 0009: routing hands a `SubmitOrder` to the connector instead); kept
 * so old trails still parse.
 */
export const MessageRoutedData = MessageContent.extend({
  carrierId: z.string(),
  attempt: z.number().int().positive(),
  reason: RouteReason,
  validUntil: z.iso.datetime().nullish(),
});

/**
 * What failover needs, carried by a `SubmitFailed` (ADR 0009) so routing keeps no state per
 * message: the content, the carriers of attempts 1..N in order, the score key, the test flag.
 */
export const FailoverContext = z.object({
  content: MessageContent.extend({ validUntil: z.iso.datetime().nullish() }),
  tried: z.array(z.string()),
  scoreKey: z.string(),
  test: z.boolean().optional(),
});
export type FailoverContext = z.infer<typeof FailoverContext>;

/** `canceled`: the account canceled the scheduled message before its sendAt (ADR 0030). */
export const FailureReason = z.enum(["no_route", "submit_rejected", "no_carrier_left", "canceled"]);
export const MessageFailedData = z.object({
  reason: FailureReason,
  /** The carrier's refusal as the carrier said it (an SMPP status in hex): operators only. */
  errorCode: z.string().nullable(),
  /** Names carriers: operators only. */
  detail: z.string(),
  /**
   * What the customer is told (one of `ERROR_CODES`, ADR 0017). Absent on old events: the
   * public view derives it (`publicErrorCodeOfFailure`). A string, not the enum, so that a
   * code added later does not make an older reader refuse the event.
   */
  publicErrorCode: z.string().optional(),
});

export const MessageSubmittedData = z.object({
  carrierId: z.string(),
  attempt: z.number().int().positive(),
  parts: z.array(z.object({ part: z.number().int().positive(), carrierMessageId: z.string() })),
  /** Why routing chose this carrier, copied from the submit order (ADR 0009). Absent on old events. */
  reason: RouteReason.optional(),
  /**
   * Where the submit order this event ends sits in the stream (its sequence), so the event
   * store can delete that copy of the content when the message is erased (ADR 0021). Absent
   * on old events. Operators only.
   */
  orderSeq: z.number().int().positive().optional(),
});

export const SubmitFailedData = z.object({
  carrierId: z.string(),
  attempt: z.number().int().positive(),
  retryable: z.boolean(),
  commandStatus: z.number().int().nullable(),
  detail: z.string(),
  /** What routing needs to fail over (ADR 0009). Absent on old events (routing then gives up). */
  failover: FailoverContext.optional(),
  /**
   * Where the submit order this event ends sits in the stream (its sequence), so the event
   * store can delete that copy of the content when the message is erased (ADR 0021). Absent
   * on old events. Operators only.
   */
  orderSeq: z.number().int().positive().optional(),
});

export const ReceiptReceivedData = z.object({
  carrierId: z.string(),
  carrierMessageId: z.string(),
  part: z.number().int().positive(),
  stat: z.string(),
  /** The receipt's `err:` as the carrier wrote it: operators only. */
  errorCode: z.string().nullable(),
  partStatus: PartStatus,
  /**
   * What the customer is told (one of `ERROR_CODES`, ADR 0017), mapped by the connector with
   * the carrier's own overrides; null when delivered or not final. Absent on old events: the
   * public view maps the stat and err with the default table (`publicErrorCodeOfReceipt`).
   */
  publicErrorCode: z.string().nullable().optional(),
});

export const MessageRefundedData = z.object({
  amount: z.number().int().positive(),
  currency: z.string(),
  /** failed: no carrier took it; not_accepted: charged but never accepted (found by the sweep). */
  reason: z.enum(["failed", "not_accepted"]),
});

/** No final receipt arrived within the message's validity: the message ends `expired`. */
export const ValidityExpiredData = z.object({
  carrierId: z.string().nullable(),
  validUntil: z.iso.datetime(),
});

export const WebhookAttemptedData = z.object({
  sequence: z.number().int().positive(),
  status: z.string(),
  attempt: z.number().int().positive(),
  /** Scheme, host and path only: query strings may carry a receiver's secrets. */
  endpoint: z.string(),
  httpStatus: z.number().int().nullable(),
  latencyMs: z.number().nonnegative(),
  error: z.string().nullable(),
  outcome: z.enum(["delivered", "retrying", "gave_up"]),
});

const envelope = {
  eventId: z.string().min(1).max(200),
  messageId: z.string().min(1).max(64),
  accountId: z.string().min(1).max(64),
  occurredAt: z.iso.datetime(),
  trace: TraceContext.optional(),
};

const event = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ ...envelope, type: z.literal(type), version: z.literal(1), data });

export const MessageAccepted = event("MessageAccepted", MessageAcceptedData);
export const MessageCharged = event("MessageCharged", MessageChargedData);
export const MessageRouted = event("MessageRouted", MessageRoutedData);
export const MessageFailed = event("MessageFailed", MessageFailedData);
export const MessageSubmitted = event("MessageSubmitted", MessageSubmittedData);
export const SubmitFailed = event("SubmitFailed", SubmitFailedData);
export const ReceiptReceived = event("ReceiptReceived", ReceiptReceivedData);
export const WebhookAttempted = event("WebhookAttempted", WebhookAttemptedData);
export const MessageRefunded = event("MessageRefunded", MessageRefundedData);
export const ValidityExpired = event("ValidityExpired", ValidityExpiredData);

export const MessageEvent = z.discriminatedUnion("type", [
  MessageAccepted,
  MessageCharged,
  MessageRouted,
  MessageFailed,
  MessageSubmitted,
  SubmitFailed,
  ReceiptReceived,
  WebhookAttempted,
  MessageRefunded,
  ValidityExpired,
]);
export type MessageEvent = z.infer<typeof MessageEvent>;
export type MessageEventType = MessageEvent["type"];
export type EventOf<T extends MessageEventType> = Extract<MessageEvent, { type: T }>;
export type DataOf<T extends MessageEventType> = EventOf<T>["data"];
