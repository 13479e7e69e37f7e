import { parseConcatUdh } from "@smsgw/sms-text";
import type { MessageFields } from "./pdu.ts";
import { readKnownTlvs } from "./tlv.ts";

/** Which part of a concatenated message a submit_sm, deliver_sm or data_sm carries. */
export type PartOf = { readonly ref: number; readonly total: number; readonly seq: number };

export type MessageContent = {
  /** The user data after any UDH: short_message, or message_payload when that is empty. */
  readonly payload: Uint8Array;
  /** From the UDH's concatenation element (esm_class 0x40), else the SAR TLVs; null: alone. */
  readonly part: PartOf | null;
  /** The UDH indicator was set but the header is cut short (longer than the data). */
  readonly badUdh: boolean;
};

const UDHI = 0x40;

/** data_sm has no short_message: its user data is in message_payload. */
type ContentFields = Pick<MessageFields, "esmClass" | "tlvs"> &
  Partial<Pick<MessageFields, "shortMessage">>;

/**
 * The user data of a message PDU and where it stands among its parts: the concatenation
 * methods of reference.md (UDH with an 8- or 16-bit reference, SAR TLVs), one reader for the
 * simulator (what carriers get) and smpp-server (what customers submit).
 */
export function readMessageContent(pdu: ContentFields): MessageContent {
  let payload: Uint8Array = pdu.shortMessage ?? Buffer.alloc(0);
  const known = readKnownTlvs(pdu.tlvs);
  if (payload.length === 0) payload = known.messagePayload ?? payload;
  if ((pdu.esmClass & UDHI) !== 0) {
    const headerLength = (payload[0] ?? 0) + 1;
    const concat = parseConcatUdh(payload);
    const part = concat ? { ref: concat.ref, total: concat.total, seq: concat.seq } : null;
    return {
      payload: payload.subarray(Math.min(headerLength, payload.length)),
      part,
      badUdh: headerLength > payload.length,
    };
  }
  // The SAR TLVs tie the parts together without a UDH.
  const total = known.sarTotalSegments;
  const seq = known.sarSegmentSeqnum;
  const part =
    total !== undefined && seq !== undefined ? { ref: known.sarMsgRefNum ?? 0, total, seq } : null;
  return { payload, part, badUdh: false };
}
