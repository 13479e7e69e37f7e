/**
 * Idempotency keys of `POST /v1/messages`: what a stored key means for a new request.
 * Pure: the store hands in the row, the fingerprint and the clock.
 */

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

/** JSON with sorted keys: the same body written in another key order is the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
