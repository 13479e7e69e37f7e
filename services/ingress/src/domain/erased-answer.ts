import { maskPhoneNumber } from "@smsgw/contracts";

/**
 * A stored idempotent answer (`POST /v1/messages` or `/v1/messages/batch`) with one message's
 * number masked, as the event store masks it on erasure (ADR 0021): wherever an object of
 * the answer is that message's resource (its `messageId` and a `to`). The answer is replayed
 * byte for byte otherwise: JSON.parse and stringify keep the keys' order. Unchanged when the
 * message is not in it or the body is not JSON.
 */
export function erasedAnswerBody(body: string, messageId: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  let changed = false;
  const erase = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(erase);
    if (value === null || typeof value !== "object") return value;
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) copy[key] = erase(inner);
    if (copy.messageId === messageId && typeof copy.to === "string") {
      const masked = maskPhoneNumber(copy.to);
      changed ||= masked !== copy.to;
      copy.to = masked;
    }
    return copy;
  };
  const erased = erase(parsed);
  return changed ? JSON.stringify(erased) : body;
}
