import { maskPhoneNumber } from "@smsgw/contracts";

/**
 * Erasure of a message's text and recipient number from what the log keeps (ADR 0020):
 * pure, so the same rule serves `POST /v1/messages/{id}/redact` and the retention job.
 */

/**
 * An event's data with every message content in it erased: wherever an object carries the
 * content (`to` and `text`: an acceptance, an old routed event, a refused submit's failover
 * context), its text becomes null and its number masked. Everything else (status, parts,
 * cost, carriers, times) stays as published. Erasing erased data changes nothing.
 */
export function erasedEventData(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(erasedEventData);
  if (data === null || typeof data !== "object") return data;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) copy[key] = erasedEventData(value);
  if (isContent(copy)) {
    copy.text = null;
    copy.to = maskPhoneNumber(copy.to);
  }
  return copy;
}

function isContent(value: Record<string, unknown>): value is { to: string; text: unknown } {
  return typeof value.to === "string" && "text" in value;
}

const DAY_MS = 86_400_000;

/**
 * The latest final time whose retention is over at `now`: a message is erased once its final
 * status is `retentionDays` old (api.md section 7: "after the final status").
 */
export function retentionCutoff(retentionDays: number, now: Date): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}
