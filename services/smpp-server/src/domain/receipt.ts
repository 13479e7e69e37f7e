import {
  type ErrorCode,
  type MessageStatus,
  type MessageStatusChanged,
  messageIdTime,
  publicErrorCode,
  type SmppReceiptMask,
  wantsSmppReceipt,
} from "@smsgw/contracts";
import type { ReceiptInput, ReceiptStat } from "@smsgw/smpp";
import { Ton } from "./addresses.ts";

/** registered_delivery's low bits (SMPP 3.4 5.2.17): 1 = final outcome, 2 = failure only. */
export function receiptMaskOf(registeredDelivery: number): SmppReceiptMask | null {
  switch (registeredDelivery & 0x03) {
    case 1:
      return "final";
    case 2:
      return "failure";
    default:
      return null;
  }
}

/** The receipt stat of a final status (reference.md's table, read backwards). */
export const STAT_OF: Partial<Record<MessageStatus, ReceiptStat>> = {
  delivered: "DELIVRD",
  undelivered: "UNDELIV",
  expired: "EXPIRED",
  // The gateway could not hand it to any carrier: rejected, in SMPP's words.
  failed: "REJECTD",
};

/**
 * The stat of a final outcome: STAT_OF's, but a message its account canceled (ADR 0030) is
 * DELETED, SMPP's word for a message cancel_sm took back. Undefined while not final.
 */
export function statOf(status: MessageStatus, errorCode: string | null): ReceiptStat | undefined {
  if (status === "failed" && errorCode === "canceled") return "DELETED";
  return STAT_OF[status];
}

/**
 * The receipt's `err:` (three digits): 000 when delivered, else one per documented errorCode
 * (api.md section 7, ADR 0017; docs/api.md lists them), 099 when there is none. Every
 * documented code must have its number: a new one cannot be forgotten here. Numbers are
 * never reused.
 */
export const ERR_OF: Readonly<Record<ErrorCode, string>> = {
  unreachable: "001",
  unknown_subscriber: "002",
  blocked_by_carrier: "003",
  expired: "004",
  rejected: "005",
  no_route: "006",
  carrier_error: "007",
  invalid_number: "008",
  invalid_sender: "009",
  canceled: "010",
};

export function errOf(status: MessageStatus, errorCode: string | null): string {
  if (status === "delivered") return "000";
  // A change folded before ADR 0017 may hold a carrier's raw code: never passed on as it is.
  const code = publicErrorCode(errorCode);
  return code ? ERR_OF[code] : "099";
}

/**
 * The deliver_sm fields of a message's receipt: from the handset (the recipient, E.164 as
 * TON 1) back to the sender (alphanumeric TON 5, or a number TON 1), the canonical text and
 * the TLVs receipted_message_id and message_state, for our `msg_…` id. The submit date is
 * the id's own time; `text:` is left empty (the text is not in the status change).
 */
export function receiptInputOf(change: MessageStatusChanged): ReceiptInput | null {
  const stat = statOf(change.status, change.errorCode);
  if (!stat) return null;
  const submitted = messageIdTime(change.messageId) ?? Date.parse(change.occurredAt);
  const numeric = /^\+?\d+$/.test(change.fromNumber);
  return {
    carrierMessageId: change.messageId,
    source: {
      addr: numeric ? change.fromNumber.replace(/^\+/, "") : change.fromNumber,
      ton: numeric ? Ton.international : Ton.alphanumeric,
      npi: numeric ? 1 : 0,
    },
    destination: { addr: change.toNumber.replace(/^\+/, ""), ton: Ton.international, npi: 1 },
    stat,
    err: errOf(change.status, change.errorCode),
    text: "",
    submittedAt: new Date(submitted),
    doneAt: new Date(change.occurredAt),
    // data_coding 0 is GSM-7 on our binds, both ways.
    alphabet: "gsm7",
  };
}

/**
 * The status change that reports a concatenated message whose parts never all came: each
 * part that came was answered ESME_ROK with its id, so a sender that asked for receipts of
 * failures (registered_delivery 1 or 2) hears REJECTD (err of `rejected`) rather than
 * nothing. Never charged (cost 0), never in the event store (the id stays unknown over HTTP).
 * Null when the sender asked for no such receipt.
 */
export function expiredPartsChange(input: {
  messageId: string;
  accountId: string;
  from: string;
  to: string;
  total: number;
  registeredDelivery: number;
  at: number;
}): MessageStatusChanged | null {
  const mask = receiptMaskOf(input.registeredDelivery);
  if (!wantsSmppReceipt(mask, "failed") || mask === null) return null;
  return {
    type: "MessageStatusChanged",
    version: 1,
    messageId: input.messageId,
    accountId: input.accountId,
    status: "failed",
    sequence: 1,
    occurredAt: new Date(input.at).toISOString(),
    toNumber: input.to,
    fromNumber: input.from,
    parts: input.total,
    cost: 0,
    currency: "",
    errorCode: "rejected",
    reference: null,
    callbackUrl: null,
    smppReceipt: mask,
  };
}
