import type { JetStreamClient } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import {
  type MessageEvent,
  type MessageStatusChanged,
  type Subjects,
  statusChangeId,
} from "@smsgw/contracts";
import { eventsPublished } from "../telemetry/metrics.ts";
import { contextFromEnvelope, injectTraceHeaders } from "./trace-headers.ts";
import { createWindow } from "./window.ts";

export interface EventPublisher {
  /** Resolves once JetStream has stored the event (or recognised it as a duplicate). */
  publish(event: MessageEvent): Promise<void>;
  /** Publishes many with a window in flight; resolves when all are stored. */
  publishAll(events: readonly MessageEvent[]): Promise<void>;
  publishStatusChanges(changes: readonly MessageStatusChanged[]): Promise<void>;
}

export function createEventPublisher(
  js: JetStreamClient,
  subjects: Subjects,
  options: { maxInFlight?: number; timeoutMs?: number } = {},
): EventPublisher {
  const window = createWindow(options.maxInFlight ?? 256);
  const timeout = options.timeoutMs ?? 5_000;

  function send(
    kind: string,
    subject: string,
    msgID: string,
    body: MessageEvent | MessageStatusChanged,
  ): Promise<void> {
    // The event's own trace when it carries one (a batch handler has no single active
    // context), else the caller's active one, taken at the call.
    const headers = natsHeaders();
    injectTraceHeaders(headers, body.trace ? contextFromEnvelope(body.trace) : undefined);
    return window.run(async () => {
      try {
        // Nats-Msg-Id = the event's deterministic id: a handler that runs twice, or a
        // publish retried after a lost ack, is stored once.
        await js.publish(subject, JSON.stringify(body), { msgID, headers, timeout });
        eventsPublished.inc({ kind, result: "ok" });
      } catch (error) {
        eventsPublished.inc({ kind, result: "error" });
        throw error;
      }
    });
  }

  const publish = (event: MessageEvent) =>
    send(event.type, subjects.event(event.type, carrierOf(event)), event.eventId, event);

  return {
    publish,
    async publishAll(events) {
      await Promise.all(events.map(publish));
    },
    async publishStatusChanges(changes) {
      await Promise.all(
        changes.map((change) =>
          send(
            "MessageStatusChanged",
            subjects.statusChanged,
            statusChangeId(change.messageId, change.sequence),
            change,
          ),
        ),
      );
    },
  };
}

function carrierOf(event: MessageEvent): string | undefined {
  return event.type === "MessageRouted" ? event.data.carrierId : undefined;
}
