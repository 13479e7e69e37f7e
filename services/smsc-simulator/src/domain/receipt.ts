import {
  deliverSm,
  formatReceiptText,
  messageStateCode,
  type Outgoing,
  type ReceiptStat,
  tlv,
} from "@smsgw/smpp";
import { encodeGsm7Unpacked, encodeUcs2 } from "@smsgw/sms-text";

export interface ReceiptInput {
  carrierMessageId: string;
  /** The submit's addresses: the receipt comes from the handset back to the sender. */
  source: { addr: string; ton: number; npi: number };
  destination: { addr: string; ton: number; npi: number };
  stat: ReceiptStat;
  err: string;
  /** The start of the part's text, for the receipt's `text:` field. */
  text: string;
  submittedAt: Date;
  doneAt: Date;
  /** "both" (default): text and TLVs; "text": the text only; "tlv": the TLVs, no text. */
  dialect?: "both" | "text" | "tlv";
}

const ESM_CLASS_RECEIPT = 0x04;

/**
 * The deliver_sm of a receipt, as carriers send it: the canonical text in short_message
 * and the TLVs receipted_message_id and message_state, both carrying the same id and stat.
 */
export function receiptDeliverSm(input: ReceiptInput): Outgoing<"deliver_sm"> {
  const dialect = input.dialect ?? "both";
  const text = formatReceiptText({
    id: input.carrierMessageId,
    stat: input.stat,
    err: input.err,
    submitDate: input.submittedAt,
    doneDate: input.doneAt,
    text: printable(input.text),
  });
  return deliverSm({
    sourceAddr: input.destination.addr,
    sourceAddrTon: input.destination.ton,
    sourceAddrNpi: input.destination.npi,
    destinationAddr: input.source.addr,
    destAddrTon: input.source.ton,
    destAddrNpi: input.source.npi,
    esmClass: ESM_CLASS_RECEIPT,
    dataCoding: 0,
    shortMessage: dialect === "tlv" ? Buffer.alloc(0) : Buffer.from(text, "latin1"),
    tlvs:
      dialect === "text"
        ? []
        : [
            tlv.receiptedMessageId(input.carrierMessageId),
            tlv.messageState(messageStateCode(input.stat)),
          ],
  });
}

/**
 * An MO message as a carrier delivers it: esm_class 0, GSM-7 unpacked when the text fits the
 * basic alphabet, else UCS-2; a "+" number as international (TON 1, NPI 1).
 */
export function moDeliverSm(mo: {
  from: string;
  to: string;
  text: string;
}): Outgoing<"deliver_sm"> {
  const address = (a: string) =>
    a.startsWith("+") ? { addr: a.slice(1), ton: 1, npi: 1 } : { addr: a, ton: 0, npi: 0 };
  const from = address(mo.from);
  const to = address(mo.to);
  const gsm = isGsm7(mo.text);
  return deliverSm({
    sourceAddr: from.addr,
    sourceAddrTon: from.ton,
    sourceAddrNpi: from.npi,
    destinationAddr: to.addr,
    destAddrTon: to.ton,
    destAddrNpi: to.npi,
    esmClass: 0,
    dataCoding: gsm ? 0 : 8,
    shortMessage: Buffer.from(gsm ? encodeGsm7Unpacked(mo.text) : encodeUcs2(mo.text)),
  });
}

function isGsm7(text: string): boolean {
  try {
    encodeGsm7Unpacked(text);
    return true;
  } catch {
    return false;
  }
}

/** The receipt text is ASCII: anything else in the sample becomes '?'. */
function printable(text: string): string {
  return text.slice(0, 20).replace(/[^\x20-\x7e]/g, "?");
}
