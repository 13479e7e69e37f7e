import { acceptanceVoid, EventBatch, MessageEvent } from "@smsgw/contracts";
import { z } from "zod";

/**
 * An event as it was published (ADR 0009: the log is lossless). Only the envelope is
 * checked; `data` and any field this version does not know are kept as they are.
 */
export const RawEvent = z.looseObject({
  eventId: z.string().min(1).max(200),
  messageId: z.string().min(1).max(64),
  accountId: z.string().min(1).max(64),
  type: z.string().min(1).max(64),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
  trace: z.unknown().optional(),
});
export type RawEvent = z.infer<typeof RawEvent>;

/**
 * What the event store consumes on `<p>.evt.>`: one event, or a batch of them. Only the
 * shape is checked here; `unpack` validates each event once (a batch's events would
 * otherwise be parsed twice).
 */
export const EventDelivery = z.union([
  EventBatch.extend({ events: z.array(z.unknown()).min(1).max(10_000) }),
  z.looseObject({ type: z.string(), eventId: z.string() }),
]);
export type EventDelivery = z.infer<typeof EventDelivery>;

/** The types the projection folds (message.ts `affectsProjection`): only these are parsed in full. */
const FOLDED: ReadonlySet<string> = new Set([
  "MessageAccepted",
  "MessageSubmitted",
  "MessageFailed",
  "ReceiptReceived",
  "ValidityExpired",
]);

export interface UnpackedEvent {
  raw: RawEvent;
  /** The event as this version folds it; null when it is only logged, or not understood. */
  known: MessageEvent | null;
  /** The stream sequence of the message that carried it (an envelope's events share it). */
  seq?: number | undefined;
}

/**
 * The events of one delivery. An event inside a batch whose envelope is broken cannot be
 * stored (it has no id): it is reported in `rejected` and skipped, the rest go on. A
 * MessageAccepted stored after its `publishBy` (`storedAtMs`, JetStream's time) is void
 * (ADR 0022): logged as published, folded never, as routing never sends it.
 */
export function unpack(
  delivery: EventDelivery,
  storedAtMs = Number.NaN,
): {
  events: UnpackedEvent[];
  rejected: string[];
} {
  const candidates: unknown[] = isBatch(delivery) ? delivery.events : [delivery];
  const events: UnpackedEvent[] = [];
  const rejected: string[] = [];
  for (const candidate of candidates) {
    const raw = RawEvent.safeParse(candidate);
    if (!raw.success) {
      rejected.push(raw.error.issues[0]?.message ?? "invalid envelope");
      continue;
    }
    const parsed = FOLDED.has(raw.data.type) ? MessageEvent.safeParse(candidate) : null;
    const known = parsed?.success ? parsed.data : null;
    const voided = known?.type === "MessageAccepted" && acceptanceVoid(known.data, storedAtMs);
    events.push({ raw: raw.data, known: voided ? null : known });
  }
  return { events, rejected };
}

function isBatch(delivery: EventDelivery): delivery is EventDelivery & { events: unknown[] } {
  return delivery.type === "EventBatch" && Array.isArray(delivery.events);
}
