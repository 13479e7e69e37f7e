import {
  type CountryCode,
  isSupportedCountry,
  type NumberType,
  ParseError,
  parsePhoneNumberWithError,
} from "libphonenumber-js/max";

/** The answer of ingress's `GET /v1/phone/format` (and the console's phone tool). */
export interface FormattedPhone {
  input: string;
  e164: string;
  valid: boolean;
  /** Why it is not valid (null when valid). */
  reason: string | null;
  country: string | null;
  countryCallingCode: string;
  nationalNumber: string;
  /** libphonenumber's type, lower-cased (mobile, fixed_line, …), or null when unknown. */
  type: string | null;
  international: string;
  national: string;
}

/** Why an input was refused: `invalid_params` (no usable input), `invalid_phone` (not a number). */
export interface PhoneFormatProblem {
  readonly status: "invalid_params" | "invalid_phone";
  readonly message: string;
}

/** The formatted number, or the problem (ingress answers it as an API error). */
export type PhoneFormatResult =
  | { ok: true; value: FormattedPhone }
  | { ok: false; error: PhoneFormatProblem };

export const MAX_PHONE_INPUT = 64;

const passed = (value: FormattedPhone): PhoneFormatResult => ({ ok: true, value });
const refused = (status: PhoneFormatProblem["status"], message: string): PhoneFormatResult => ({
  ok: false,
  error: { status, message },
});

const PARSE_PROBLEMS: Record<string, string> = {
  INVALID_COUNTRY:
    "the number has no country code: start it with + and the country code, or pass country (e.g. country=EE)",
  NOT_A_NUMBER: "the input does not look like a phone number",
  TOO_SHORT: "the number is too short",
  TOO_LONG: "the number is too long",
  INVALID_LENGTH: "the number has an impossible length",
};

/**
 * The phone formatter: local or messy input (spaces, dashes, brackets, a national 0 prefix)
 * with an optional ISO country hint, into E.164 with its validity, country and type.
 * Input that cannot be read as a number at all is invalid_phone, saying why.
 */
export function formatPhone(number: unknown, country: unknown): PhoneFormatResult {
  if (typeof number !== "string" || number.trim() === "") {
    return refused("invalid_params", "number is missing");
  }
  if (number.length > MAX_PHONE_INPUT) {
    return refused("invalid_params", `number is longer than ${MAX_PHONE_INPUT} characters`);
  }
  let hint: CountryCode | undefined;
  if (country !== undefined && country !== "") {
    const code = typeof country === "string" ? country.toUpperCase() : "";
    if (!isSupportedCountry(code)) {
      return refused("invalid_params", "country must be an ISO 3166-1 alpha-2 code, e.g. EE");
    }
    hint = code;
  }
  try {
    const parsed = parsePhoneNumberWithError(number.trim(), {
      defaultCountry: hint,
      extract: false,
    });
    const valid = parsed.isValid();
    const type: NumberType = parsed.getType();
    return passed({
      input: number,
      e164: parsed.number,
      valid,
      reason: valid ? null : whyInvalid(parsed.isPossible(), parsed.country, hint),
      country: parsed.country ?? null,
      countryCallingCode: parsed.countryCallingCode,
      nationalNumber: parsed.nationalNumber,
      type: type ? type.toLowerCase() : null,
      international: parsed.formatInternational(),
      national: parsed.formatNational(),
    });
  } catch (error) {
    const code = error instanceof ParseError ? error.message : "";
    if (code === "INVALID_COUNTRY" && number.trim().startsWith("+")) {
      return refused("invalid_phone", "the country calling code after + is not in use");
    }
    return refused("invalid_phone", PARSE_PROBLEMS[code] ?? "the input is not a phone number");
  }
}

function whyInvalid(possible: boolean, country: string | undefined, hint?: string): string {
  if (!possible) return "the number has the wrong length for its country";
  if (country === undefined) {
    return hint
      ? `the number matches no number range (checked as a ${hint} number)`
      : "the country code or the number range is not in use";
  }
  return `the number is not in any ${country} number range`;
}
