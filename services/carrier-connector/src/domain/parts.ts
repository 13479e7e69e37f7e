import { concatUdh, encodePart, type SmsEncoding, segment } from "@smsgw/sms-text";

/** One submit_sm's worth of a message: its part number, coding and short_message octets. */
export interface SubmitPart {
  /** 1-based. */
  part: number;
  total: number;
  /** 0 = GSM-7 unpacked (SMSC default alphabet), 8 = UCS-2. */
  dataCoding: 0 | 8;
  /** 0x40 (UDH indicator) when the message has several parts, else 0. */
  esmClass: number;
  /** The UDH (multi-part only) followed by the encoded text. */
  shortMessage: Uint8Array;
}

export type PartsPlan =
  | { ok: true; encoding: SmsEncoding; parts: SubmitPart[] }
  | { ok: false; problem: string };

const ESM_CLASS_UDHI = 0x40;
const MAX_PARTS = 0xff;

/**
 * Splits and encodes a text for sending with the 8-bit-reference concatenation UDH
 * (`05 00 03 ref total seq`), the same splitter pricing counts with. `ref` is the message's
 * concatenation reference (0..255), one per message, chosen by the caller.
 */
export function buildParts(text: string, ref: number): PartsPlan {
  const segmented = segment(text, { concat: "udh8" });
  const total = segmented.parts.length;
  if (total > MAX_PARTS) {
    return { ok: false, problem: `text needs ${total} parts; a UDH allows at most ${MAX_PARTS}` };
  }
  const parts = segmented.parts.map((piece, index): SubmitPart => {
    const body = encodePart(piece, segmented.encoding);
    const shortMessage =
      total === 1 ? body : concat(concatUdh(ref, total, index + 1, "udh8"), body);
    return {
      part: index + 1,
      total,
      dataCoding: segmented.dataCoding,
      esmClass: total === 1 ? 0 : ESM_CLASS_UDHI,
      shortMessage,
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
