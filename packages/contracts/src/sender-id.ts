/**
 * The sender ID (`fromNumber` / `from`): the one definition every service judges it by.
 * Ingress refuses what `checkSenderId` refuses (invalid_sender); routing's sender rules
 * (`checkRouting`), its carrier choice and the connector's addressing ask `senderKind`.
 *
 * - Numeric: digits with an optional leading "+", at most 15 digits.
 * - Alphanumeric: 1 to 11 characters, at least one an ASCII letter, every one an ASCII
 *   letter, a digit, a space or one of the GSM-7 basic set's ASCII punctuation marks
 *   (`! " # $ % & ' ( ) * + , - . / : ; < = > ? @ _`). Letters such as Ä or Ж are GSM-7
 *   or UCS-2 but not in every carrier's sender field, and a test for "a letter" that knew
 *   them would disagree with one that did not (issue 23): so they are refused here.
 *
 * Anything else (no letter and not digits, say `123-456`) is malformed.
 */

export const MAX_ALPHANUMERIC_SENDER = 11;
export const MAX_NUMERIC_SENDER_DIGITS = 15;

export type SenderKind = "numeric" | "alphanumeric";

export type SenderProblem =
  | "blank"
  | "characters"
  | "alphanumeric_too_long"
  | "numeric_too_long"
  | "not_numeric";

export type SenderCheck =
  | { ok: true; sender: string; kind: SenderKind }
  | { ok: false; problem: SenderProblem };

const NUMERIC = /^\+?([0-9]+)$/;
const ASCII_LETTER = /[A-Za-z]/;
const ALLOWED = /^[A-Za-z0-9 !"#$%&'()*+,\-./:;<=>?@_]+$/;

/** The sender as given, trimmed, judged: its kind, or what is wrong with it. */
export function checkSenderId(raw: string): SenderCheck {
  const sender = raw.trim();
  if (sender.length === 0) return { ok: false, problem: "blank" };
  const digits = NUMERIC.exec(sender)?.[1];
  if (digits !== undefined) {
    return digits.length > MAX_NUMERIC_SENDER_DIGITS
      ? { ok: false, problem: "numeric_too_long" }
      : { ok: true, sender, kind: "numeric" };
  }
  if (!ALLOWED.test(sender)) return { ok: false, problem: "characters" };
  if (!ASCII_LETTER.test(sender)) return { ok: false, problem: "not_numeric" };
  if (sender.length > MAX_ALPHANUMERIC_SENDER) {
    return { ok: false, problem: "alphanumeric_too_long" };
  }
  return { ok: true, sender, kind: "alphanumeric" };
}

/**
 * Numeric or alphanumeric, for the rules that differ between them (numeric-only
 * destinations and carriers, SMPP TON). Only a numeric sender is numeric: any other
 * string, even one ingress would refuse, counts as alphanumeric, so a sender that slipped
 * through never reaches a numeric-only destination or carrier.
 */
export function senderKind(sender: string): SenderKind {
  const digits = NUMERIC.exec(sender.trim())?.[1];
  return digits !== undefined && digits.length <= MAX_NUMERIC_SENDER_DIGITS
    ? "numeric"
    : "alphanumeric";
}
