import type { DataSm, DeliverSm } from "./pdu.ts";
import { parseReceiptText } from "./receipt-text.ts";
import { readKnownTlvs } from "./tlv.ts";

/** Receipt stats, indexed by their message_state value (SMPP 3.4 5.2.28). */
export const RECEIPT_STATS = [
  "SCHEDULED",
  "ENROUTE",
  "DELIVRD",
  "EXPIRED",
  "DELETED",
  "UNDELIV",
  "ACCEPTD",
  "UNKNOWN",
  "REJECTD",
  "SKIPPED",
] as const;

export type ReceiptStat = (typeof RECEIPT_STATS)[number];

/** Spellings seen in the wild for the canonical stats. */
const ALIASES: Readonly<Record<string, ReceiptStat>> = {
  DELIVERED: "DELIVRD",
  UNDELIVERABLE: "UNDELIV",
  UNDELIVERED: "UNDELIV",
  ACCEPTED: "ACCEPTD",
  REJECTED: "REJECTD",
  EXPIRD: "EXPIRED",
  DELETD: "DELETED",
};

/** A receipt is a deliver_sm whose esm_class message type bits (0x3C) are 0x04. */
export function isDeliveryReceipt(esmClass: number): boolean {
  return (esmClass & 0x3c) === 0x04;
}

/**
 * What a deliver_sm or data_sm from an SMSC carries, by its esm_class message type bits (0x3C,
 * SMPP 3.4 5.2.12): a message from a handset (0x00), a delivery receipt (0x04), or a notice an
 * SMSC may send besides, which holds no handset's message: an SME delivery acknowledgement
 * (0x08), a manual/user acknowledgement (0x10), a conversation abort (0x18) or an intermediate
 * delivery notification (0x20, "ENROUTE" and the like, sent by some SMSCs unasked).
 */
export type DeliveredContent =
  | { kind: "message" }
  | { kind: "receipt" }
  | { kind: "notice"; notice: DeliveredNotice };

export type DeliveredNotice =
  | "sme_delivery_ack"
  | "user_ack"
  | "conversation_abort"
  | "intermediate_notification"
  | "reserved";

const NOTICES: Readonly<Record<number, DeliveredNotice>> = {
  8: "sme_delivery_ack",
  16: "user_ack",
  24: "conversation_abort",
  32: "intermediate_notification",
};

export function deliveredContentOf(esmClass: number): DeliveredContent {
  const type = esmClass & 0x3c;
  if (type === 0x00) return { kind: "message" };
  if (type === 0x04) return { kind: "receipt" };
  return { kind: "notice", notice: NOTICES[type] ?? "reserved" };
}

/** The message_state value to send for a stat (for the simulator). */
export function messageStateCode(stat: ReceiptStat): number {
  return RECEIPT_STATS.indexOf(stat);
}

/** Canonical stat for a text stat or alias; undefined if unrecognised. */
export function normalizeStat(raw: string): ReceiptStat | undefined {
  const upper = raw.trim().toUpperCase();
  return (RECEIPT_STATS as readonly string[]).includes(upper)
    ? (upper as ReceiptStat)
    : ALIASES[upper];
}

export type Receipt = {
  carrierMessageId: string;
  /** Unrecognised stats become UNKNOWN (not final; the validity timeout resolves it). */
  stat: ReceiptStat;
  /** The stat as received, for logs. */
  rawStat: string;
  /** network_error_code's error code (3 digits) or the text's err; "" when neither. */
  err: string;
  networkError?: { networkType: number; errorCode: number };
  submitDate?: string;
  doneDate?: string;
};

/**
 * Reads a receipt from a deliver_sm or a data_sm (SMPP 3.4 4.7): TLVs first
 * (receipted_message_id, message_state, network_error_code), each missing one taken from the
 * text (message_payload, or a deliver_sm's short_message). Null when it is not a receipt or
 * carries no id or no stat.
 */
export function readReceipt(pdu: DeliverSm | DataSm): Receipt | null {
  if (!isDeliveryReceipt(pdu.esmClass)) return null;
  const tlvs = readKnownTlvs(pdu.tlvs);
  const body =
    tlvs.messagePayload ?? (pdu.command === "deliver_sm" ? pdu.shortMessage : Buffer.alloc(0));
  const text = parseReceiptText(decodeText(body, pdu.dataCoding));
  const carrierMessageId = tlvs.receiptedMessageId || text?.id;
  const state = tlvs.messageState;
  const rawStat =
    (state === undefined ? undefined : RECEIPT_STATS[state]) ??
    text?.stat ??
    (state === undefined ? undefined : `message_state:${state}`);
  if (!carrierMessageId || rawStat === undefined) return null;
  const nec = tlvs.networkErrorCode;
  const receipt: Receipt = {
    carrierMessageId,
    stat: normalizeStat(rawStat) ?? "UNKNOWN",
    rawStat,
    err: nec ? String(nec.errorCode).padStart(3, "0") : (text?.err ?? ""),
  };
  if (nec) receipt.networkError = nec;
  if (text?.submitDate !== undefined) receipt.submitDate = text.submitDate;
  if (text?.doneDate !== undefined) receipt.doneDate = text.doneDate;
  return receipt;
}

function decodeText(bytes: Buffer, dataCoding: number): string {
  if (dataCoding !== 8) return bytes.toString("latin1");
  const swapped = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return swapped.swap16().toString("utf16le");
}
