import {
  deliverSm,
  formatReceiptText,
  messageStateCode,
  type Outgoing,
  type ReceiptStat,
  tlv,
} from "@smsgw/smpp";

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
}

const ESM_CLASS_RECEIPT = 0x04;

/**
 * The deliver_sm of a receipt, as carriers send it: the canonical text in short_message
 * and the TLVs receipted_message_id and message_state, both carrying the same id and stat.
 */
export function receiptDeliverSm(input: ReceiptInput): Outgoing<"deliver_sm"> {
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
    shortMessage: Buffer.from(text, "latin1"),
    tlvs: [
      tlv.receiptedMessageId(input.carrierMessageId),
      tlv.messageState(messageStateCode(input.stat)),
    ],
  });
}

/** The receipt text is ASCII: anything else in the sample becomes '?'. */
function printable(text: string): string {
  return text.slice(0, 20).replace(/[^\x20-\x7e]/g, "?");
}
