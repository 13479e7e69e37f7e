// Where the parts of a message start and end. `segment` and `countParts` both plan here, so the
// parts we bill are the parts we send.
import type { SmsEncoding } from "./encoding.ts";
import { gsm7Width } from "./gsm7-tables.ts";
import { type ConcatMethod, SMS_LIMITS } from "./limits.ts";

/** One part as a UTF-16 range of the text, and its size in units. */
export interface PartSpan {
  start: number;
  end: number;
  units: number;
}

export interface PartPlan {
  units: number;
  spans: PartSpan[];
}

/** Total units: septets for GSM-7 (the text must be GSM-7), UTF-16 code units for UCS-2. */
export function totalUnits(text: string, encoding: SmsEncoding): number {
  if (encoding === "ucs2") return text.length;
  let septets = 0;
  for (let i = 0; i < text.length; i++) septets += gsm7Width(text.charCodeAt(i));
  return septets;
}

export function planParts(text: string, encoding: SmsEncoding, concat: ConcatMethod): PartPlan {
  const limits = SMS_LIMITS[encoding];
  const units = totalUnits(text, encoding);
  if (units <= limits.single) return { units, spans: [{ start: 0, end: text.length, units }] };
  const spans =
    encoding === "gsm7" ? planGsm7(text, limits[concat]) : planUcs2(text, limits[concat]);
  return { units, spans };
}

// Fills parts greedily with unbreakable pieces; a piece that does not fit opens the next part.
function packer(capacity: number) {
  const spans: PartSpan[] = [];
  let start = 0;
  let used = 0;
  return {
    place(index: number, width: number): void {
      if (used + width > capacity && used > 0) {
        spans.push({ start, end: index, units: used });
        start = index;
        used = 0;
      }
      used += width;
    },
    finish(end: number): PartSpan[] {
      spans.push({ start, end, units: used });
      return spans;
    },
  };
}

// A GSM-7 piece is one character: one septet, or two (escape + code) that stay together.
function planGsm7(text: string, capacity: number): PartSpan[] {
  const parts = packer(capacity);
  for (let i = 0; i < text.length; i++) parts.place(i, gsm7Width(text.charCodeAt(i)));
  return parts.finish(text.length);
}

let graphemes: Intl.Segmenter | undefined;

// A UCS-2 piece is a grapheme cluster (an emoji with its modifiers, a letter with its accents),
// so no part ends mid-glyph; CR LF counts as two pieces, as in GSM-7. A cluster longer than a
// whole part is broken between code points: never inside a surrogate pair.
function planUcs2(text: string, capacity: number): PartSpan[] {
  graphemes ??= new Intl.Segmenter("und", { granularity: "grapheme" });
  const parts = packer(capacity);
  for (const { segment, index } of graphemes.segment(text)) {
    if (segment.length <= capacity && segment !== "\r\n") {
      parts.place(index, segment.length);
      continue;
    }
    for (let i = 0; i < segment.length; ) {
      const width = (segment.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
      parts.place(index + i, width);
      i += width;
    }
  }
  return parts.finish(text.length);
}
