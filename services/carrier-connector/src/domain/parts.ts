import { type Tlv, tlv } from "@smsgw/smpp";
import {
  type ConcatMethod,
  concatUdh,
  encodePart as encodeText,
  type SmsEncoding,
  segment,
} from "@smsgw/sms-text";

/** One submit_sm's worth of a message: its part number, coding and short_message octets. */
export interface SubmitPart {
  /** 1-based. */
  part: number;
  total: number;
  /** 0 = GSM-7 unpacked (SMSC default alphabet), 8 = UCS-2. */
  dataCoding: number;
  /** 0x40 (UDH indicator) for a part with a concatenation UDH, else 0. */
  esmClass: number;
  /** The UDH (multi-part UDH styles only) followed by the encoded text; empty for payload. */
  shortMessage: Uint8Array;
  /** SAR TLVs, or message_payload. */
  tlvs: Tlv[];
  /** The message's parts this submit carries: 1, or all of them in message_payload. */
  covers: number;
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
 * ingress counts (bills) with (SAR and payload split as udh8 does, so the parts billed are
 * the parts a handset receives). `ref` is the message's reference (0..65535; udh8 uses its
 * low byte), or where to draw it, drawn only when the message is sent in parts. `billedAs` is the header the parts were counted with (ADR 0011): a text billed
 * for 16-bit-UDH parts is split into those smaller parts by every carrier, so it is sent in
 * as many parts as were charged. Surrogate pairs and GSM-7 escapes never straddle parts.
 */
export function buildParts(
  text: string,
  refOf: number | (() => number),
  style: ConcatStyle = "udh8",
  gsmDataCoding: GsmDataCoding = 0,
  billedAs: ConcatMethod = "udh8",
): PartsPlan {
  const room = style === "udh16" || billedAs === "udh16" ? "udh16" : "udh8";
  const segmented = segment(text, { concat: room });
  const charset = segmented.encoding === "gsm7" ? charsetFor(text, gsmDataCoding) : undefined;
  const encodePart = (piece: { text: string }, encoding: SmsEncoding) =>
    charset ? Buffer.from(piece.text, "latin1") : encodeText(piece, encoding);
  const total = segmented.parts.length;
  if (total > MAX_PARTS) {
    return { ok: false, problem: `text needs ${total} parts; a UDH allows at most ${MAX_PARTS}` };
  }
  const dataCoding = charset ? gsmDataCoding : segmented.dataCoding;
  const base = { dataCoding, tlvs: [] as Tlv[], covers: 1 };
  if (style === "payload" && total > 1) {
    const body = encodePart({ text }, segmented.encoding);
    const part = {
      ...base,
      part: 1,
      total: 1,
      esmClass: 0,
      shortMessage: new Uint8Array(0),
      covers: total,
    };
    part.tlvs = [tlv.messagePayload(Buffer.from(body))];
    return { ok: true, encoding: segmented.encoding, parts: [part] };
  }
  const ref = total === 1 ? 0 : typeof refOf === "number" ? refOf : refOf();
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

/**
 * The data_coding a carrier wants for text in the default alphabet: 0 (GSM-7, sent unpacked),
 * 1 (IA5/ASCII) or 3 (Latin-1). The text is still split by GSM-7 counts (the SMSC converts
 * it for the air); one with a character the charset lacks (say €) goes as GSM-7, 0.
 */
export type GsmDataCoding = 0 | 1 | 3;

function charsetFor(text: string, dataCoding: GsmDataCoding): "ascii" | "latin1" | undefined {
  const within = (max: number) => [...text].every((c) => (c.codePointAt(0) ?? 0) <= max);
  if (dataCoding === 1 && within(0x7f)) return "ascii";
  if (dataCoding === 3 && within(0xff)) return "latin1";
  return undefined;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
