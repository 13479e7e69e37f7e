import type { AccountBalanceLow, MessageEvent } from "@smsgw/contracts";
import { type EventPublisher, errorMessage, type Logger } from "@smsgw/service-kit";
import type { Kysely } from "kysely";
import { deleteFromOutbox, type OutboxEvent, takeStale } from "../db/outbox.ts";
import type { PricingDatabase } from "../db/schema.ts";

/**
 * Publishes what a transaction wrote to the outbox, right after its commit, without
 * delaying the caller; deletes the events JetStream stored. A failed publish leaves the
 * events in the outbox for `relayStale` (run by the sweep).
 */
export interface OutboxPublisher {
  /** Fire and forget: publish these committed events, then drop them from the outbox. */
  publishCommitted(events: readonly OutboxEvent[]): void;
  /** Publishes events left behind (a crash, a NATS outage); returns how many. */
  relayStale(olderThanMs: number): Promise<number>;
  /** Waits for the publishes in flight. */
  settle(): Promise<void>;
}

export function createOutboxPublisher(
  db: Kysely<PricingDatabase>,
  publisher: EventPublisher,
  log: Logger,
  /** Balance warnings go to their own subject (`<p>.status.balance_low`), not the trail. */
  publishBalanceLow: (event: AccountBalanceLow) => Promise<void>,
): OutboxPublisher {
  const inFlight = new Set<Promise<void>>();

  async function publishAndDelete(events: readonly OutboxEvent[]): Promise<void> {
    const warnings = events.filter((e): e is AccountBalanceLow => e.type === "AccountBalanceLow");
    const messageEvents = events.filter((e): e is MessageEvent => e.type !== "AccountBalanceLow");
    await Promise.all([publisher.publishAll(messageEvents), ...warnings.map(publishBalanceLow)]);
    await deleteFromOutbox(
      db,
      events.map((e) => e.eventId),
    );
  }

  return {
    publishCommitted(events) {
      if (events.length === 0) return;
      const work: Promise<void> = publishAndDelete(events)
        .catch((error: unknown) => {
          log.warn(
            { err: errorMessage(error), events: events.length },
            "events not published yet; the outbox relay retries them",
          );
        })
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    },
    async relayStale(olderThanMs) {
      let total = 0;
      for (;;) {
        const events = await takeStale(db, olderThanMs, 500);
        if (events.length === 0) return total;
        await publishAndDelete(events);
        total += events.length;
        if (events.length < 500) return total;
      }
    },
    async settle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
