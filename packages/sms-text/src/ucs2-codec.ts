import { MalformedPayloadError } from "./errors.ts";

/** UTF-16BE, as SMSCs read data_coding 8 (surrogate pairs pass through as two code units). */
export function encodeUcs2(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const codeUnit = text.charCodeAt(i);
    bytes[2 * i] = codeUnit >> 8;
    bytes[2 * i + 1] = codeUnit & 0xff;
  }
  return bytes;
}

/** Reads UTF-16BE; an odd number of octets throws `MalformedPayloadError`. */
export function decodeUcs2(bytes: Uint8Array): string {
  if (bytes.length % 2 !== 0) {
    throw new MalformedPayloadError(`UCS-2 payload has an odd length (${bytes.length} octets)`);
  }
  let text = "";
  for (let i = 0; i < bytes.length; i += 2) {
    text += String.fromCharCode(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  }
  return text;
}
