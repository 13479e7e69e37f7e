import { literalAddressVerdict, parseCallbackUrl } from "@smsgw/callback-guard";
import type { MessageStatus } from "@smsgw/contracts";
import { type ConcatMethod, countParts, SMS_LIMITS, type SmsEncoding } from "@smsgw/sms-text";
import { type Checked, passed, refused } from "./api-error.ts";
import { readCallbackStatuses } from "./callback-statuses.ts";

/**
 * The fields of a compatible send request, validated for shape (not yet for meaning). The
 * text's length is bounded, its parts are not counted yet: that waits for authentication.
 */
export interface SendFields {
  hash: string;
  token: string;
  toNumber: string;
  fromNumber: string;
  text: string;
  callbackUrl: string | null;
  /** The statuses to report, expanded; null = the default `sent,final`. */
  callbackStatuses: MessageStatus[] | null;
}

/** The text's encoding and the parts it is sent (and billed) in. */
export interface TextCount {
  encoding: SmsEncoding;
  parts: number;
  /** The concatenation header counted with (ADR 0011): udh16 leaves 152/66 units a part. */
  concat: ConcatMethod;
}

export const MAX_CALLBACK_URL_LENGTH = 2048;

const REQUIRED = ["hash", "token", "toNumber", "fromNumber", "text"] as const;
type Required = (typeof REQUIRED)[number];

type Source = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Source {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the send fields from the query string and, for a POST, the parsed body (form or
 * JSON): a field in the body wins over the same field in the query. The first problem
 * found names its field: missing, empty, not a single string, a text too long for
 * `maxParts` whatever its encoding (its length alone: the parts are counted after
 * authentication, `countTextParts`), a callback URL that is not http(s), or callback
 * statuses that are not a mask.
 */
export function readSendFields(
  query: unknown,
  body: unknown,
  options: { maxParts: number; allowPrivateCallbacks?: boolean },
): Checked<SendFields> {
  if (body !== undefined && !isRecord(body)) {
    return refused("invalid_params", "body must be a JSON object or form fields");
  }
  const sources: Source[] = [body ?? {}, isRecord(query) ? query : {}];
  const pick = (name: string): unknown => {
    for (const source of sources) if (Object.hasOwn(source, name)) return source[name];
    return undefined;
  };

  const values: Partial<Record<Required, string>> = {};
  for (const name of REQUIRED) {
    const checked = requiredString(name, pick(name));
    if (!checked.ok) return checked;
    values[name] = checked.value;
  }
  const { hash = "", token = "", toNumber = "", fromNumber = "", text = "" } = values;

  const bounded = checkTextLength(text, options.maxParts);
  if (!bounded.ok) return bounded;

  const callbackUrl = checkCallbackUrl(pick("callbackUrl"), options.allowPrivateCallbacks);
  if (!callbackUrl.ok) return callbackUrl;
  // Query or form: one comma-separated string (a repeated field is refused like any other).
  const callbackStatuses = readCallbackStatuses(pick("callbackStatuses"), { allowArray: false });
  if (!callbackStatuses.ok) return callbackStatuses;

  return passed({
    hash,
    token,
    toNumber,
    fromNumber,
    text,
    callbackUrl: callbackUrl.value,
    callbackStatuses: callbackStatuses.value,
  });
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
 * The cheap bound, before authentication: a text longer than `maxTextLength` is refused by
 * its length alone (O(1)), so no request makes us split 64 KB of text (issue 23).
 */
export function checkTextLength(text: string, maxParts: number): Checked<string> {
  const max = maxTextLength(maxParts);
  if (text.length <= max) return passed(text);
  return refused(
    "invalid_params",
    `text is ${text.length} characters long; the limit is ${maxParts} parts (at most ${max} characters)`,
  );
}

/**
 * The parts the text is sent and billed in, and the part limit: the splitter runs here,
 * after authentication and the rate limits, on a text `checkTextLength` has bounded.
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

function requiredString(name: string, value: unknown): Checked<string> {
  if (value === undefined || value === null) return refused("invalid_params", `${name} is missing`);
  if (Array.isArray(value)) {
    return refused("invalid_params", `${name} is given more than once; give it once`);
  }
  if (typeof value !== "string") return refused("invalid_params", `${name} must be a string`);
  if (value.length === 0) return refused("invalid_params", `${name} is empty`);
  return passed(value);
}

/**
 * Absent or empty: no callback. Otherwise an absolute http(s) URL of at most 2,048
 * characters, whose host is not a literal loopback, private, link-local or metadata
 * address unless the operator allows them (WEBHOOK_ALLOW_PRIVATE, the local dev stack).
 */
export function checkCallbackUrl(value: unknown, allowPrivate = false): Checked<string | null> {
  if (value === undefined || value === null || value === "") return passed(null);
  if (Array.isArray(value)) {
    return refused("invalid_params", "callbackUrl is given more than once; give it once");
  }
  if (typeof value !== "string") return refused("invalid_params", "callbackUrl must be a string");
  if (value.length > MAX_CALLBACK_URL_LENGTH) {
    return refused(
      "invalid_params",
      `callbackUrl is longer than ${MAX_CALLBACK_URL_LENGTH} characters`,
    );
  }
  const url = URL.parse(value);
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) {
    return refused("invalid_params", "callbackUrl must be an absolute http or https URL");
  }
  // The shared guard (the dispatcher judges resolved names with the same classes): no user
  // info, no whitespace, and no literal loopback/private/link-local/metadata address.
  const parsed = parseCallbackUrl(value);
  if (!parsed.ok) return refused("invalid_params", `callbackUrl is refused: ${parsed.reason}`);
  const verdict = literalAddressVerdict(parsed.url, { allowPrivate });
  if (!verdict.allowed) {
    return refused("invalid_params", `callbackUrl is refused: ${verdict.reason}`);
  }
  return passed(value);
}
