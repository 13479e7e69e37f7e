import { gsm7Width } from "./gsm7-tables.ts";

/** `gsm7`: GSM 03.38 default alphabet (data_coding 0). `ucs2`: UTF-16BE (data_coding 8). */
export type SmsEncoding = "gsm7" | "ucs2";

/** GSM-7 when every character is in the basic or extension table, else UCS-2 for the whole text. */
export function detectEncoding(text: string): SmsEncoding {
  for (let i = 0; i < text.length; i++) {
    if (gsm7Width(text.charCodeAt(i)) === 0) return "ucs2";
  }
  return "gsm7";
}

/** True when every character is in the GSM-7 basic table (no escapes). */
export function isGsm7BasicOnly(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (gsm7Width(text.charCodeAt(i)) !== 1) return false;
  }
  return true;
}
