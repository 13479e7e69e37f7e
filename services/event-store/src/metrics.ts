import type { MessageEvent } from "@smsgw/contracts";
import { defineCounter, defineHistogram } from "@smsgw/service-kit";

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

/** Counts the events of a batch the log took as new (`fresh`: their ids) and their lag. */
export function recordAppended(
  events: readonly MessageEvent[],
  fresh: ReadonlySet<string>,
  now = Date.now(),
): void {
  for (const event of events) {
    if (!fresh.has(event.eventId)) continue;
    eventsAppended.inc({ type: event.type });
    const occurred = Date.parse(event.occurredAt);
    if (Number.isFinite(occurred)) foldLag.observe(Math.max(0, now - occurred) / 1000);
  }
}
