import { type ConcatMethod, countParts, SMS_LIMITS, type SmsEncoding } from "@smsgw/sms-text";
import { type Checked, passed, refused } from "./api-error.ts";

/** The text's encoding and the parts it is sent (and billed) in. */
export interface TextCount {
  encoding: SmsEncoding;
  parts: number;
  /** The concatenation header counted with (ADR 0011): udh16 leaves 152/66 units a part. */
  concat: ConcatMethod;
}

/**
 * The longest text that may fit in `maxParts` parts, in UTF-16 code units: every character
 * is at least one septet (GSM-7) or one unit (UCS-2), and no part holds more than 153 of
 * them once a text is split (160 alone). A longer text is over the limit whatever it says.
 */
export function maxTextLength(maxParts: number): number {
  return maxParts <= 1 ? SMS_LIMITS.gsm7.single : maxParts * SMS_LIMITS.gsm7.udh8;
}

/**
 * The cheap bounds, before authentication: a text longer than `maxTextLength` is refused by
 * its length alone (O(1)), so no request makes us split 64 KB of text (issue 23); a text the
 * record cannot hold is refused too (`unrecordable`).
 */
export function checkTextBounds(text: string, maxParts: number): Checked<string> {
  const max = maxTextLength(maxParts);
  if (text.length > max) {
    return refused(
      "invalid_params",
      `text is ${text.length} characters long; the limit is ${maxParts} parts (at most ${max} characters)`,
    );
  }
  const unfit = unrecordable("text", text);
  if (unfit !== null) return refused("invalid_params", unfit);
  return passed(text);
}

const NUL = "\u0000";

/**
 * Why a field's text cannot be recorded, or null. U+0000 (NUL): no SMS alphabet has it
 * (GSM-7's 0x00 is "@"), and Postgres refuses it in text and JSON. A lone UTF-16 surrogate
 * (a JSON `"\ud83d"` without its pair, or such a UCS-2 unit over SMPP) is no character at all,
 * and Postgres refuses it in JSON. The event store could not record a message carrying
 * either, and a message the record does not hold is one pricing refunds (ADR 0024): refused
 * at every door instead.
 */
export function unrecordable(field: string, value: string): string | null {
  if (value.includes(NUL)) return `${field} contains U+0000 (NUL), which no SMS alphabet has`;
  if (!value.isWellFormed()) {
    return `${field} contains a lone UTF-16 surrogate (half of a pair, not a character)`;
  }
  return null;
}

/**
 * The parts the text is sent and billed in, and the part limit: the splitter runs here,
 * after authentication and the rate limits, on a text `checkTextBounds` has bounded.
 * `concat` is the header the destination's carriers may split with (`concatFor`).
 */
export function countTextParts(
  text: string,
  maxParts: number,
  concat: ConcatMethod = "udh8",
): Checked<TextCount> {
  const { encoding, parts } = countParts(text, { concat });
  if (parts > maxParts) {
    const why =
      concat === "udh16"
        ? " (this destination's carriers leave 152 GSM-7 or 66 UCS-2 characters a part)"
        : "";
    return refused(
      "invalid_params",
      `text is ${parts} parts long${why}; the limit is ${maxParts} parts`,
    );
  }
  return passed({ encoding, parts, concat });
}
