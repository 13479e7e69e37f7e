import { detectEncoding, type SmsEncoding } from "./encoding.ts";
import { assertGsm7 } from "./gsm7-codec.ts";
import type { ConcatMethod } from "./limits.ts";
import { planParts } from "./part-planner.ts";

export interface SegmentOptions {
  /** The concatenation header the route sends with; default `udh8` (153/67 units per part). */
  concat?: ConcatMethod;
  /** `auto` (default) picks GSM-7 when it can; `gsm7` throws `NotGsm7EncodableError` when it can't. */
  encoding?: "auto" | SmsEncoding;
}

/** SMPP data_coding: 0 (SMSC default alphabet, GSM-7) or 8 (UCS-2). */
export type DataCoding = 0 | 8;

export interface SmsPart {
  text: string;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) in this part. */
  units: number;
}

export interface SegmentedText {
  encoding: SmsEncoding;
  dataCoding: DataCoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) in the whole text. */
  units: number;
  parts: SmsPart[];
}

export interface PartCount {
  encoding: SmsEncoding;
  parts: number;
  units: number;
}

function chooseEncoding(text: string, options: SegmentOptions): SmsEncoding {
  const wanted = options.encoding ?? "auto";
  if (wanted === "auto") return detectEncoding(text);
  if (wanted === "gsm7") assertGsm7(text);
  return wanted;
}

/** Splits a text into the parts we send: one part up to 160 septets / 70 units, else 153 / 67. */
export function segment(text: string, options: SegmentOptions = {}): SegmentedText {
  const encoding = chooseEncoding(text, options);
  const { units, spans } = planParts(text, encoding, options.concat ?? "udh8");
  return {
    encoding,
    dataCoding: encoding === "gsm7" ? 0 : 8,
    units,
    parts: spans.map(({ start, end, units }) => ({ text: text.slice(start, end), units })),
  };
}

/** How many parts `segment` would give, without building them: for ingress and pricing. */
export function countParts(text: string, options: SegmentOptions = {}): PartCount {
  const encoding = chooseEncoding(text, options);
  const { units, spans } = planParts(text, encoding, options.concat ?? "udh8");
  return { encoding, parts: spans.length, units };
}
