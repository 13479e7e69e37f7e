import { type MessageFields, readMessageContent } from "@smsgw/smpp";
import { decodeGsm7Unpacked, decodeUcs2 } from "@smsgw/sms-text";

/** One received submit_sm (one part), as the simulator records it. */
export interface Submission {
  carrierId: string;
  carrierMessageId: string;
  source: string;
  destination: string;
  dataCoding: number;
  esmClass: number;
  /** The concatenation element of the UDH (esm_class 0x40), or of the SAR TLVs. */
  udh: { ref: number; total: number; seq: number } | null;
  /** The part's text (after the UDH), decoded by data_coding. */
  text: string;
  receivedAt: string;
}

type SubmitFields = Pick<
  MessageFields,
  "sourceAddr" | "destinationAddr" | "dataCoding" | "esmClass" | "shortMessage" | "tlvs"
>;

export function describeSubmission(
  carrierId: string,
  carrierMessageId: string,
  pdu: SubmitFields,
  receivedAt: Date,
): Submission {
  const { payload, part: udh } = readMessageContent(pdu);
  return {
    carrierId,
    carrierMessageId,
    source: pdu.sourceAddr,
    destination: pdu.destinationAddr,
    dataCoding: pdu.dataCoding,
    esmClass: pdu.esmClass,
    udh,
    text: decodeText(payload, pdu.dataCoding),
    receivedAt: receivedAt.toISOString(),
  };
}

/**
 * data_coding 0: GSM-7 unpacked; 8: UCS-2; 3 and anything undecodable: Latin-1;
 * 4 (binary): hex. Never throws: a simulator records what it got.
 */
export function decodeText(bytes: Uint8Array, dataCoding: number): string {
  try {
    if (dataCoding === 0) return decodeGsm7Unpacked(bytes);
    if (dataCoding === 8) return decodeUcs2(bytes);
  } catch {
    // fall through to Latin-1: the bytes were not what data_coding said
  }
  if (dataCoding === 4) return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return String.fromCharCode(...bytes);
}
