import type { SmsEncoding } from "./encoding.ts";
import { encodeGsm7Unpacked } from "./gsm7-codec.ts";
import type { SmsPart } from "./segment.ts";
import { encodeUcs2 } from "./ucs2-codec.ts";

/** The short_message octets of one part (without its UDH), for the message's data_coding. */
export function encodePart(part: Pick<SmsPart, "text">, encoding: SmsEncoding): Uint8Array {
  return encoding === "gsm7" ? encodeGsm7Unpacked(part.text) : encodeUcs2(part.text);
}
