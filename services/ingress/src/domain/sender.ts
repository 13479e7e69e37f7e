import { isGsm7BasicOnly } from "@smsgw/sms-text";
import { type Checked, passed, refused } from "./api-error.ts";

export const MAX_ALPHANUMERIC_SENDER = 11;
export const MAX_NUMERIC_SENDER_DIGITS = 15;

const HAS_LETTER = /\p{L}/u;
const NUMERIC = /^\+?(\d+)$/;

/**
 * The sender ID, trimmed. Alphanumeric (it contains a letter): at most 11 characters.
 * Numeric: digits with an optional leading "+", at most 15 digits. Either way only
 * characters of the GSM-7 basic set (no escapes), and not empty.
 */
/** `field` names the field in messages: `fromNumber` (compatible) or `from` (v1). */
export function checkSender(raw: string, field = "fromNumber"): Checked<string> {
  const sender = raw.trim();
  if (sender.length === 0) return refused("invalid_sender", `${field} is blank`);
  if (!isGsm7BasicOnly(sender)) {
    return refused("invalid_sender", `${field} has characters outside the GSM-7 basic set`);
  }
  if (HAS_LETTER.test(sender)) {
    if (sender.length > MAX_ALPHANUMERIC_SENDER) {
      return refused(
        "invalid_sender",
        `an alphanumeric ${field} has at most ${MAX_ALPHANUMERIC_SENDER} characters`,
      );
    }
    return passed(sender);
  }
  const digits = NUMERIC.exec(sender)?.[1];
  if (digits === undefined) {
    return refused(
      "invalid_sender",
      `a numeric ${field} has digits only (a leading + allowed); an alphanumeric one needs a letter`,
    );
  }
  if (digits.length > MAX_NUMERIC_SENDER_DIGITS) {
    return refused(
      "invalid_sender",
      `a numeric ${field} has at most ${MAX_NUMERIC_SENDER_DIGITS} digits`,
    );
  }
  return passed(sender);
}
