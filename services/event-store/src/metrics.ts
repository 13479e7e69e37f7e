import type { MessageStatusChanged } from "@smsgw/contracts";
import { defineCounter, defineHistogram, defineStreamEraserMetrics } from "@smsgw/service-kit";
import type { RawEvent } from "./domain/raw-event.ts";

// The event store's series (deploy/README.md).

export const eventsAppended = defineCounter({
  name: "smsgw_event_store_events_appended_total",
  help: "Events new to the log (redelivered copies are not counted), by event type.",
  labelNames: ["type"] as const,
});

export const foldLag = defineHistogram({
  name: "smsgw_event_store_fold_lag_seconds",
  help: "From an event's occurredAt to its append and fold here: how far the projection trails the gateway.",
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
});

export const statusChanges = defineCounter({
  name: "smsgw_message_status_changes_total",
  help: "Forward status changes folded into the projection (and reported), by new status.",
  labelNames: ["status"] as const,
});

/**
 * After a batch committed: counts the events the log took as new (`fresh`: their ids),
 * their lag, and the status changes it produced.
 */
export function recordCommitted(
  events: readonly RawEvent[],
  fresh: ReadonlySet<string>,
  changes: readonly MessageStatusChanged[],
  now = Date.now(),
): void {
  for (const change of changes) statusChanges.inc({ status: change.status });
  for (const event of events) {
    if (!fresh.has(event.eventId)) continue;
    eventsAppended.inc({ type: event.type });
    const occurred = Date.parse(event.occurredAt);
    if (Number.isFinite(occurred)) foldLag.observe(Math.max(0, now - occurred) / 1000);
  }
}

export const messagesErased = defineCounter({
  name: "smsgw_event_store_messages_erased_total",
  help: "Messages whose text and number were erased (ADR 0021), by why: request or retention.",
  labelNames: ["reason"] as const,
});

// The stream copies of erased content (ADR 0021): deleted, and waiting for a reader.
export const streamEraserMetrics = defineStreamEraserMetrics("event_store");
