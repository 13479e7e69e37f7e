// GSM-7 unpacked: one septet per octet, as SMPP data_coding 0 is sent to most SMSCs.
import { MalformedPayloadError, NotGsm7EncodableError } from "./errors.ts";
import {
  basicSeptetOfCodeUnit,
  extensionSeptetOfCodeUnit,
  GSM7_BASIC_TABLE,
  GSM7_ESCAPE,
  GSM7_EXTENSION_TABLE,
  gsm7Width,
} from "./gsm7-tables.ts";

/** Throws `NotGsm7EncodableError` at the first character outside the GSM-7 tables. */
export function assertGsm7(text: string): void {
  for (let i = 0; i < text.length; i++) {
    if (gsm7Width(text.charCodeAt(i)) === 0) {
      throw new NotGsm7EncodableError(String.fromCodePoint(text.codePointAt(i) ?? 0), i);
    }
  }
}

/** Extension characters become 0x1B + code. Throws `NotGsm7EncodableError`. */
export function encodeGsm7Unpacked(text: string): Uint8Array {
  assertGsm7(text);
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const codeUnit = text.charCodeAt(i);
    const basic = basicSeptetOfCodeUnit(codeUnit);
    if (basic !== undefined) {
      bytes.push(basic);
    } else {
      bytes.push(GSM7_ESCAPE, extensionSeptetOfCodeUnit(codeUnit) ?? 0);
    }
  }
  return Uint8Array.from(bytes);
}

/**
 * Octets above 0x7F throw `MalformedPayloadError`. Like a handset (TS 23.038): an escape before a
 * code the extension table lacks shows the basic character; escape + escape, or a trailing
 * escape, shows a space.
 */
export function decodeGsm7Unpacked(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) {
    const septet = bytes[i] ?? 0;
    if (septet > 0x7f) {
      throw new MalformedPayloadError(
        `octet 0x${septet.toString(16)} at ${i} is not a GSM-7 septet`,
      );
    }
    if (septet !== GSM7_ESCAPE) {
      text += GSM7_BASIC_TABLE[septet];
      continue;
    }
    const code = bytes[i + 1];
    if (code === undefined || code === GSM7_ESCAPE) {
      text += " ";
      i++;
      continue;
    }
    if (code > 0x7f) {
      throw new MalformedPayloadError(
        `octet 0x${code.toString(16)} at ${i + 1} is not a GSM-7 septet`,
      );
    }
    text += GSM7_EXTENSION_TABLE.get(code) ?? GSM7_BASIC_TABLE[code];
    i++;
  }
  return text;
}
