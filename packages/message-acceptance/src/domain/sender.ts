import {
  checkSenderId,
  MAX_ALPHANUMERIC_SENDER,
  MAX_NUMERIC_SENDER_DIGITS,
  type SenderProblem,
} from "@smsgw/contracts";
import { type Checked, passed, refused } from "./api-error.ts";

const messages: Record<SenderProblem, (field: string) => string> = {
  blank: (field) => `${field} is blank`,
  characters: (field) =>
    `${field} may have only ASCII letters, digits, spaces and the punctuation ! " # $ % & ' ( ) * + , - . / : ; < = > ? @ _ (a subset of the GSM-7 basic set)`,
  alphanumeric_too_long: (field) =>
    `an alphanumeric ${field} has at most ${MAX_ALPHANUMERIC_SENDER} characters`,
  numeric_too_long: (field) => `a numeric ${field} has at most ${MAX_NUMERIC_SENDER_DIGITS} digits`,
  not_numeric: (field) =>
    `a numeric ${field} has digits only (a leading + allowed); an alphanumeric one needs a letter A-Z`,
};

/**
 * The sender ID, trimmed, by the contracts' one definition (`checkSenderId`, which routing
 * and the connector share): numeric, or alphanumeric in ASCII. `field` names the field in
 * messages: `fromNumber` (compatible) or `from` (v1).
 */
export function checkSender(raw: string, field = "fromNumber"): Checked<string> {
  const checked = checkSenderId(raw);
  if (!checked.ok) return refused("invalid_sender", messages[checked.problem](field));
  return passed(checked.sender);
}
