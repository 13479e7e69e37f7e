import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { type Checked, passed, refused } from "./api-error.ts";

export interface Destination {
  /** E.164, e.g. "+37256789045". */
  e164: string;
  /** ISO 3166-1 alpha-2, or null for non-geographic numbers (e.g. +800). */
  country: string | null;
}

/** E.164 as written: a "+", then up to 15 digits, the first not 0. */
export const E164_SHAPE = /^\+[1-9]\d{1,14}$/;

/**
 * `toNumber` must be E.164 (a "+", the country code and the number, digits only; spaces
 * around it are ignored) and a valid number by the full metadata of libphonenumber-js.
 */
/** `field` names the field in messages: `toNumber` (compatible) or `to` (v1). */
export function checkPhone(raw: string, field = "toNumber"): Checked<Destination> {
  const candidate = raw.trim();
  if (!candidate.startsWith("+")) {
    return refused(
      "invalid_phone",
      `${field} must be in E.164 form starting with + (in a query string, write + as %2B)`,
    );
  }
  if (!E164_SHAPE.test(candidate)) {
    return refused("invalid_phone", `${field} must be in E.164 form: + and up to 15 digits only`);
  }
  const parsed = parsePhoneNumberFromString(candidate, { extract: false });
  if (!parsed?.isValid()) {
    return refused("invalid_phone", `${field} is not a valid phone number`);
  }
  return passed({ e164: parsed.number, country: parsed.country ?? null });
}
