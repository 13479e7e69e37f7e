import { maskPhoneNumber } from "@smsgw/contracts";

/**
 * Erasure of a message's text and recipient number from what the log keeps (ADR 0021):
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

/**
 * The events of a batch that would carry content into the log after their message was
 * erased, each with its data erased: every new event holding content but an acceptance (a
 * message is erased only after its acceptance was logged, so only a late refused submit, or
 * an old routed event, can come after). Empty on the normal path, which then costs nothing.
 */
export function lateContentCandidates(
  events: ReadonlyArray<{ eventId: string; messageId: string; type: string; data?: unknown }>,
): Array<{ event_id: string; message_id: string; data: unknown }> {
  const candidates: Array<{ event_id: string; message_id: string; data: unknown }> = [];
  for (const event of events) {
    if (event.type === "MessageAccepted" || !carriesText(event.data)) continue;
    const data = erasedEventData(event.data);
    candidates.push({ event_id: event.eventId, message_id: event.messageId, data });
  }
  return candidates;
}

/** Whether any object in the data holds a message's text (a walk, no copy). */
function carriesText(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(carriesText);
  if (value === null || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  if (typeof record.to === "string" && typeof record.text === "string") return true;
  return Object.values(record).some(carriesText);
}

const DAY_MS = 86_400_000;

/**
 * The latest final time whose retention is over at `now`: a message is erased once its final
 * status is `retentionDays` old (api.md section 7: "after the final status").
 */
export function retentionCutoff(retentionDays: number, now: Date): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}
