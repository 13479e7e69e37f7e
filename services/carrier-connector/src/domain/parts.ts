import { type Tlv, tlv } from "@smsgw/smpp";
import { concatUdh, encodePart, type SmsEncoding, segment } from "@smsgw/sms-text";

/** One submit_sm's worth of a message: its part number, coding and short_message octets. */
export interface SubmitPart {
  /** 1-based. */
  part: number;
  total: number;
  /** 0 = GSM-7 unpacked (SMSC default alphabet), 8 = UCS-2. */
  dataCoding: 0 | 8;
  /** 0x40 (UDH indicator) for a part with a concatenation UDH, else 0. */
  esmClass: number;
  /** The UDH (multi-part UDH styles only) followed by the encoded text; empty for payload. */
  shortMessage: Uint8Array;
  /** SAR TLVs, or message_payload. */
  tlvs: Tlv[];
}

export type PartsPlan =
  | { ok: true; encoding: SmsEncoding; parts: SubmitPart[] }
  | { ok: false; problem: string };

const ESM_CLASS_UDHI = 0x40;
const MAX_PARTS = 0xff;

/**
 * How a long message's parts are tied together, per carrier: a UDH with an 8- or 16-bit
 * reference (esm_class 0x40), the SAR TLVs (no UDH), or one submit_sm carrying the whole text
 * in message_payload (the carrier splits it).
 */
export type ConcatStyle = "udh8" | "udh16" | "sar" | "payload";

/**
 * Splits and encodes a text with the carrier's concatenation style, with the same splitter
 * pricing counts with (SAR and payload split as udh8 does, so the parts billed are the parts
 * a handset receives). `ref` is the message's reference (0..65535; udh8 uses its low byte).
 * Surrogate pairs and GSM-7 escapes never straddle parts (the splitter's rule).
 */
export function buildParts(text: string, ref: number, style: ConcatStyle = "udh8"): PartsPlan {
  const segmented = segment(text, { concat: style === "udh16" ? "udh16" : "udh8" });
  const total = segmented.parts.length;
  if (total > MAX_PARTS) {
    return { ok: false, problem: `text needs ${total} parts; a UDH allows at most ${MAX_PARTS}` };
  }
  const base = { dataCoding: segmented.dataCoding, tlvs: [] as Tlv[] };
  if (style === "payload" && total > 1) {
    const body = encodePart({ text }, segmented.encoding);
    const part = { ...base, part: 1, total: 1, esmClass: 0, shortMessage: new Uint8Array(0) };
    part.tlvs = [tlv.messagePayload(Buffer.from(body))];
    return { ok: true, encoding: segmented.encoding, parts: [part] };
  }
  const parts = segmented.parts.map((piece, index): SubmitPart => {
    const body = encodePart(piece, segmented.encoding);
    const seq = index + 1;
    if (total === 1) return { ...base, part: seq, total, esmClass: 0, shortMessage: body };
    if (style === "sar") {
      return {
        ...base,
        part: seq,
        total,
        esmClass: 0,
        shortMessage: body,
        tlvs: [
          tlv.sarMsgRefNum(ref & 0xffff),
          tlv.sarTotalSegments(total),
          tlv.sarSegmentSeqnum(seq),
        ],
      };
    }
    const method = style === "udh16" ? "udh16" : "udh8";
    const udhRef = method === "udh8" ? ref & 0xff : ref & 0xffff;
    return {
      ...base,
      part: seq,
      total,
      esmClass: ESM_CLASS_UDHI,
      shortMessage: concat(concatUdh(udhRef, total, seq, method), body),
    };
  });
  return { ok: true, encoding: segmented.encoding, parts };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
