import { EventBatch, MessageEvent } from "@smsgw/contracts";
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

/** What the event store consumes on `<p>.evt.>`: one event, or a batch of them. */
export const EventDelivery = z.union([EventBatch, RawEvent]);
export type EventDelivery = z.infer<typeof EventDelivery>;

export interface UnpackedEvent {
  raw: RawEvent;
  /** The event as this version folds it; null for a type or shape it does not know. */
  known: MessageEvent | null;
}

/**
 * The events of one delivery. An event inside a batch whose envelope is broken cannot be
 * stored (it has no id): it is reported in `rejected` and skipped, the rest go on.
 */
export function unpack(delivery: EventDelivery): {
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
    const known = MessageEvent.safeParse(candidate);
    events.push({ raw: raw.data, known: known.success ? known.data : null });
  }
  return { events, rejected };
}

function isBatch(delivery: EventDelivery): delivery is EventBatch {
  return delivery.type === "EventBatch" && "events" in delivery;
}
