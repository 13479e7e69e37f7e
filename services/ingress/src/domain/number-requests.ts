import { type Checked, E164_SHAPE, passed, refused } from "@smsgw/message-acceptance";
import { formatPhone } from "@smsgw/phone-format";
import { isSupportedCountry } from "libphonenumber-js/max";
import { checkCallbackUrl } from "./fields.ts";

const isObject = (body: unknown): body is Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body);

/** `POST /v1/numbers`: `{ "country": "EE" }` or `{ "number": "+372…" }`, one of them. */
export function readTakeNumber(body: unknown): Checked<{ country?: string; number?: string }> {
  const fields = isObject(body) ? body : {};
  const { country, number } = fields;
  if ((country === undefined) === (number === undefined)) {
    return refused("invalid_params", 'give either country (e.g. "EE") or number (E.164), not both');
  }
  if (country !== undefined) {
    if (typeof country !== "string" || !isSupportedCountry(country.toUpperCase())) {
      return refused("invalid_params", "country must be an ISO 3166-1 alpha-2 code, e.g. EE");
    }
    return passed({ country: country.toUpperCase() });
  }
  const e164 = numberInBody(number);
  return e164 === null
    ? refused("invalid_params", "number must be a phone number in E.164, e.g. +37250000001")
    : passed({ number: e164 });
}

/**
 * `PATCH /v1/numbers/{number}`: `{ "inboundUrl": … }`, judged by the same callback guard as
 * callbackUrl; null or "" clears it (the account's default callback URL applies).
 */
export function readInboundUrl(body: unknown, allowPrivate: boolean): Checked<string | null> {
  if (!isObject(body) || !("inboundUrl" in body)) {
    return refused("invalid_params", "inboundUrl is missing (null clears it)");
  }
  return checkCallbackUrl(body.inboundUrl, allowPrivate, "inboundUrl");
}

/** `POST /v1/opt-outs`: `{ "number": "+372…" }`. */
export function readOptOutNumber(body: unknown): Checked<string> {
  const number = numberInBody(isObject(body) ? body.number : undefined);
  return number === null
    ? refused("invalid_params", "number must be a phone number in E.164, e.g. +37256789045")
    : passed(number);
}

/**
 * A number as a body gives it: E.164 as written (`E164_SHAPE`, as the native API's `to` is
 * checked); null otherwise. No spaces or extension to tidy away: what is stored or
 * opted out is exactly what was asked for.
 */
function numberInBody(value: unknown): string | null {
  return typeof value === "string" && E164_SHAPE.test(value) ? numberInPath(value) : null;
}

/** A number as a path gives it (spaces and dashes tolerated), in E.164; null when it is none. */
export function numberInPath(value: unknown): string | null {
  if (typeof value !== "string" || !value.startsWith("+")) return null;
  const phone = formatPhone(value, undefined);
  return phone.ok ? phone.value.e164 : null;
}

/** `GET /v1/inbound?cursor=&limit=`: limit 1 to 1,000 (default 100). */
export function readInboundPage(
  query: Record<string, unknown>,
  defaultLimit = 100,
): Checked<{
  cursor?: string;
  limit: number;
}> {
  const { cursor, limit } = query;
  if (cursor !== undefined && (typeof cursor !== "string" || cursor.length > 200)) {
    return refused("invalid_params", "cursor is not a cursor this API handed out");
  }
  const size = limit === undefined ? defaultLimit : Number(limit);
  if (!Number.isInteger(size) || size < 1 || size > 1_000) {
    return refused("invalid_params", "limit must be a whole number from 1 to 1000");
  }
  return passed(cursor === undefined || cursor === "" ? { limit: size } : { cursor, limit: size });
}

/** `POST /v1/senders`: `{ "sender": "MyBrand" }` (the inbound service judges the ID itself). */
export function readSenderRequest(body: unknown): Checked<string> {
  const sender = isObject(body) ? body.sender : undefined;
  return typeof sender === "string" && sender.length <= 32
    ? passed(sender)
    : refused("invalid_params", 'sender is missing: { "sender": "MyBrand" }');
}
