import { encodeGsm7Unpacked } from "@smsgw/sms-text";
import { deliverSm } from "./builders.ts";
import type { Outgoing } from "./pdu.ts";
import { messageStateCode, type ReceiptStat } from "./receipt.ts";
import { formatReceiptText } from "./receipt-text.ts";
import { tlv } from "./tlv.ts";

export interface ReceiptInput {
  /** The id the receipt is for: the carrier's (simulator) or ours (smpp-server). */
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
  /**
   * How the text's octets are written under data_coding 0: "ascii" (default, as carriers
   * commonly send it) or "gsm7" (unpacked septets, our SMSC default alphabet: an ESME that
   * reads data_coding 0 as GSM 03.38 then sees `_` and every other character as sent).
   */
  alphabet?: "ascii" | "gsm7";
  /**
   * An intermediate delivery notification (esm_class 0x20) instead of a receipt (0x04): the
   * same text and TLVs, a state that is not final (`ENROUTE`, `ACCEPTD`), as some SMSCs send
   * before the receipt.
   */
  intermediate?: boolean;
}

const ESM_CLASS_RECEIPT = 0x04;
const ESM_CLASS_INTERMEDIATE_NOTIFICATION = 0x20;

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
    esmClass: input.intermediate ? ESM_CLASS_INTERMEDIATE_NOTIFICATION : ESM_CLASS_RECEIPT,
    dataCoding: 0,
    shortMessage:
      dialect === "tlv"
        ? Buffer.alloc(0)
        : input.alphabet === "gsm7"
          ? Buffer.from(encodeGsm7Unpacked(text))
          : Buffer.from(text, "latin1"),
    tlvs:
      dialect === "text"
        ? []
        : [
            tlv.receiptedMessageId(input.carrierMessageId),
            tlv.messageState(messageStateCode(input.stat)),
          ],
  });
}

/** The receipt text is ASCII: anything else in the sample becomes '?'. */
function printable(text: string): string {
  return text.slice(0, 20).replace(/[^\x20-\x7e]/g, "?");
}
