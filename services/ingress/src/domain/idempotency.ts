/**
 * Idempotency keys of `POST /v1/messages`: what a stored key means for a new request.
 * Pure: the store hands in the row, the fingerprint and the clock.
 */
import { isMessageId } from "@smsgw/contracts";

export const MAX_IDEMPOTENCY_KEY = 255;
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/** A key is 1-255 visible ASCII characters (no spaces); anything else is invalid_params. */
export function isIdempotencyKey(key: string): boolean {
  return KEY_SHAPE.test(key);
}

export interface StoredKey {
  fingerprint: string;
  messageId: string;
  state: "pending" | "done" | "open";
  claimedAt: number;
  httpStatus: number | null;
  body: string | null;
}

export type KeyDecision =
  | { kind: "replay"; httpStatus: number; body: string }
  | { kind: "reused" }
  /** Take the key over (released, or its claimer is presumed dead), keeping its messageId. */
  | { kind: "take_over"; messageId: string }
  | { kind: "wait" };

/**
 * What to do with a key someone else claimed first. A claim older than `staleAfterMs`
 * (longer than any request may run) belongs to a replica that died mid-request.
 */
export function decideOnKey(
  row: StoredKey,
  fingerprint: string,
  now: number,
  staleAfterMs: number,
): KeyDecision {
  if (row.fingerprint !== fingerprint) return { kind: "reused" };
  if (row.state === "done" && row.httpStatus !== null && row.body !== null) {
    return { kind: "replay", httpStatus: row.httpStatus, body: row.body };
  }
  if (row.state === "open" || now - row.claimedAt > staleAfterMs) {
    return { kind: "take_over", messageId: row.messageId };
  }
  return { kind: "wait" };
}

/**
 * How deep a fingerprinted body may nest: a batch item's fields sit at depth 3, so no valid
 * request comes near it, and a 4 MB batch of `[[[…]]]` could otherwise take the stack.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * JSON with sorted keys: the same body written in another key order is the same request.
 * Null when the value nests deeper than `MAX_BODY_DEPTH` (the request is refused).
 */
export function canonicalJson(value: unknown, depth = 0): string | null {
  if (depth > MAX_BODY_DEPTH) return null;
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value) {
      const text = canonicalJson(item, depth + 1);
      if (text === null) return null;
      items.push(text);
    }
    return `[${items.join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const fields: string[] = [];
    for (const [k, v] of entries) {
      const text = canonicalJson(v, depth + 1);
      if (text === null) return null;
      fields.push(`${JSON.stringify(k)}:${text}`);
    }
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The `Location` of a stored answer, which keeps only status and body: a 202 is the message
 * resource, and its first answer pointed at `/v1/messages/{messageId}`; a replay says the same.
 */
export function locationOfStored(httpStatus: number, body: string): string | null {
  if (httpStatus !== 202) return null;
  try {
    const { messageId } = JSON.parse(body) as { messageId?: unknown };
    return typeof messageId === "string" && isMessageId(messageId)
      ? `/v1/messages/${messageId}`
      : null;
  } catch {
    return null;
  }
}

/**
 * The ids a key's send goes again under when some of them are spent (charged and refunded
 * before: never to be sent): each spent one replaced by this request's new id at its place,
 * the others kept (so what was charged under them stays charged once). Null when none is
 * spent, or the ids were this request's own (nothing older to replace).
 */
export function renewedIds(
  ids: readonly string[],
  spent: readonly string[],
  newIds: readonly string[],
): string[] | null {
  if (spent.length === 0 || ids.join(",") === newIds.join(",")) return null;
  return ids.map((id, i) => (spent.includes(id) ? (newIds[i] ?? id) : id));
}
