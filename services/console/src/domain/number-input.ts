import { judgeCallbackUrl } from "@smsgw/callback-guard";
import { formatPhone } from "@smsgw/phone-format";
import type { Checked } from "./credentials-input.ts";

/**
 * What the numbers and opt-out forms accept. Pure: the handlers pass the fields in; the
 * inbound service decides the rest (which number is free, whose number it is).
 */

/** "Take a number": a country's ISO code (ee → EE), or one number in E.164. */
export function readTakeForm(
  country: string,
  number: string,
): Checked<{ country: string } | { number: string }> {
  if (number.trim() !== "") {
    const e164 = readE164(number);
    return e164.ok ? { ok: true, value: { number: e164.value } } : e164;
  }
  const code = country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) {
    return { ok: false, problem: "Enter a country's two-letter code, such as EE." };
  }
  return { ok: true, value: { country: code } };
}

/** A phone number in international form (+ and the country code; spaces allowed), as E.164. */
export function readE164(input: string): Checked<string> {
  const text = input.replace(/[\s()-]/g, "");
  const phone = text.startsWith("+") ? formatPhone(text, undefined) : undefined;
  if (!phone?.ok) {
    return { ok: false, problem: "Enter the number in international form, such as +37256789045." };
  }
  return { ok: true, value: phone.value.e164 };
}

/**
 * A number's inbound URL, judged by the gateway's callback guard exactly as ingress judges
 * `inboundUrl` (and pricing the default callback URL): the reason is shown as it is. Empty
 * clears it (the account's default callback URL applies).
 */
export function readInboundUrl(input: string, allowPrivate: boolean): Checked<string | null> {
  const judged = judgeCallbackUrl(input, allowPrivate);
  return judged.ok ? judged : { ok: false, problem: `Inbound URL refused: ${judged.reason}.` };
}

/** A number in a path (`/numbers/+372…/release`): E.164 only, else null (a 404). */
export function numberInPath(value: unknown): string | null {
  return typeof value === "string" && /^\+[1-9]\d{5,14}$/.test(value) ? value : null;
}
