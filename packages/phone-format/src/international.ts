import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/**
 * Digits without their `+` (an SMPP address whose type of number says unknown) as E.164, when
 * they read as a valid number with the country code first; undefined when they do not (a
 * national number, a short code, anything else): the caller keeps what it was given.
 */
export function e164OfInternationalDigits(digits: string): string | undefined {
  if (!/^[0-9]{1,15}$/.test(digits)) return undefined;
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  return parsed?.isValid() ? parsed.number : undefined;
}
