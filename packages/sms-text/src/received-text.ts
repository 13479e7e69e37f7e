// Received octets (an MO's short_message, or the parts of one joined) as the text we record.
import { decodeGsm7Unpacked } from "./gsm7-codec.ts";
import { decodeUcs2 } from "./ucs2-codec.ts";

/**
 * The text of octets a carrier delivered with this data_coding: 0 GSM-7 unpacked, 8 UCS-2;
 * any other value, or octets that are not what data_coding said, read as Latin-1 so nothing
 * is lost. Never throws. The result is `recordableText`: what a record can hold.
 */
export function decodeReceivedText(bytes: Uint8Array, dataCoding: number): string {
  return recordableText(decodeOrLatin1(bytes, dataCoding));
}

function decodeOrLatin1(bytes: Uint8Array, dataCoding: number): string {
  try {
    if (dataCoding === 0) return decodeGsm7Unpacked(bytes);
    if (dataCoding === 8) return decodeUcs2(bytes);
  } catch {
    // not what data_coding said: keep the bytes readable as Latin-1
  }
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

/**
 * The text as a record can hold it (Postgres refuses NUL, and JSON a lone surrogate): a
 * carrier's C-string terminators at the end dropped, any other NUL (Latin-1 or UCS-2 0x00)
 * and any surrogate without its pair (a UCS-2 payload cut mid-pair) shown as U+FFFD.
 */
export function recordableText(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end -= 1;
  return text.slice(0, end).replaceAll("\u0000", "\uFFFD").toWellFormed();
}
