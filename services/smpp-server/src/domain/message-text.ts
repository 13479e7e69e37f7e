import { unrecordable } from "@smsgw/message-acceptance";
import { decodeGsm7Unpacked, decodeUcs2 } from "@smsgw/sms-text";

/** data_coding values a customer may submit text in (SMPP 3.4 section 5.2.19). */
export const DataCoding = { smscDefault: 0, ia5: 1, latin1: 3, ucs2: 8 } as const;

/**
 * The text of a submitted message, decoded by its data_coding, or null when it cannot be
 * text: 0 is the SMSC default alphabet, which for us is GSM-7 unpacked (one septet per
 * octet), 1 IA5 (ASCII), 3 Latin-1, 8 UCS-2 (UTF-16BE, surrogate pairs kept). Binary (4)
 * and the rest are refused: the gateway sends text (api.md section 1). Nor is a NUL (0x00 of
 * IA5, Latin-1 or UCS-2; GSM-7's 0x00 is "@") or a UCS-2 surrogate without its pair text:
 * the record could not hold them (`unrecordable`).
 */
export function decodeMessageText(bytes: Uint8Array, dataCoding: number): string | null {
  const text = decodeAny(bytes, dataCoding);
  return text !== null && unrecordable("text", text) === null ? text : null;
}

function decodeAny(bytes: Uint8Array, dataCoding: number): string | null {
  try {
    switch (dataCoding) {
      case DataCoding.smscDefault:
        return decodeGsm7Unpacked(bytes);
      case DataCoding.ia5:
        return bytes.every((b) => b < 0x80) ? Buffer.from(bytes).toString("latin1") : null;
      case DataCoding.latin1:
        return Buffer.from(bytes).toString("latin1");
      case DataCoding.ucs2:
        return decodeUcs2(bytes);
      default:
        return null;
    }
  } catch {
    return null;
  }
}
