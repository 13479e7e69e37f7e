import { literalAddressVerdict, parseCallbackUrl } from "@smsgw/callback-guard";
import {
  type Checked,
  checkTextBounds,
  type MessageFields,
  passed,
  refused,
  unrecordable,
} from "@smsgw/message-acceptance";
import { readCallbackStatuses } from "./callback-statuses.ts";
import { severalGiven } from "./several-given.ts";

/**
 * The fields of a compatible send request, validated for shape (not yet for meaning). The
 * text's length is bounded, its parts are not counted yet: that waits for authentication.
 */
export interface SendFields extends MessageFields {
  hash: string;
  token: string;
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

  const bounded = checkTextBounds(text, options.maxParts);
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

function requiredString(name: string, value: unknown): Checked<string> {
  if (value === undefined || value === null) return refused("invalid_params", `${name} is missing`);
  if (Array.isArray(value)) return refused("invalid_params", severalGiven(name));
  if (typeof value !== "string") return refused("invalid_params", `${name} must be a string`);
  if (value.length === 0) return refused("invalid_params", `${name} is empty`);
  return passed(value);
}

/**
 * Absent or empty: no callback. Otherwise an absolute http(s) URL of at most 2,048
 * characters, whose host is not a literal loopback, private, link-local or metadata
 * address unless the operator allows them (WEBHOOK_ALLOW_PRIVATE, the local dev stack).
 */
export function checkCallbackUrl(
  value: unknown,
  allowPrivate = false,
  name = "callbackUrl",
): Checked<string | null> {
  if (value === undefined || value === null || value === "") return passed(null);
  if (Array.isArray(value)) return refused("invalid_params", severalGiven(name));
  if (typeof value !== "string") return refused("invalid_params", `${name} must be a string`);
  if (value.length > MAX_CALLBACK_URL_LENGTH) {
    return refused(
      "invalid_params",
      `${name} is longer than ${MAX_CALLBACK_URL_LENGTH} characters`,
    );
  }
  const unfit = unrecordable(name, value);
  if (unfit !== null) return refused("invalid_params", unfit);
  const url = URL.parse(value);
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) {
    return refused("invalid_params", `${name} must be an absolute http or https URL`);
  }
  // The shared guard (the dispatcher judges resolved names with the same classes): no user
  // info, no whitespace, and no literal loopback/private/link-local/metadata address.
  const parsed = parseCallbackUrl(value);
  if (!parsed.ok) return refused("invalid_params", `${name} is refused: ${parsed.reason}`);
  const verdict = literalAddressVerdict(parsed.url, { allowPrivate });
  if (!verdict.allowed) {
    return refused("invalid_params", `${name} is refused: ${verdict.reason}`);
  }
  return passed(value);
}
