import { type MessageFields, readKnownTlvs } from "@smsgw/smpp";
import { decodeGsm7Unpacked, decodeUcs2, parseConcatUdh } from "@smsgw/sms-text";

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

const UDHI = 0x40;

export function describeSubmission(
  carrierId: string,
  carrierMessageId: string,
  pdu: SubmitFields,
  receivedAt: Date,
): Submission {
  let payload: Uint8Array = pdu.shortMessage;
  if (payload.length === 0) payload = readKnownTlvs(pdu.tlvs).messagePayload ?? payload;
  let udh: Submission["udh"] = null;
  if ((pdu.esmClass & UDHI) !== 0) {
    const concat = parseConcatUdh(payload);
    const headerLength = (payload[0] ?? 0) + 1;
    if (concat) udh = { ref: concat.ref, total: concat.total, seq: concat.seq };
    payload = payload.subarray(Math.min(headerLength, payload.length));
  } else {
    // The SAR TLVs tie the parts together without a UDH.
    const sar = readKnownTlvs(pdu.tlvs);
    if (sar.sarTotalSegments !== undefined && sar.sarSegmentSeqnum !== undefined) {
      udh = { ref: sar.sarMsgRefNum ?? 0, total: sar.sarTotalSegments, seq: sar.sarSegmentSeqnum };
    }
  }
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
