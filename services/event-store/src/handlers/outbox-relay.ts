import type { EventPublisher } from "@smsgw/service-kit";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { countOutbox, leftoverEntries, type OutboxEntry, removeFromOutbox } from "../db/outbox.ts";
import type { EventStoreDb } from "../db/schema.ts";
import { outboxPending } from "../metrics.ts";

export interface OutboxRelay {
  /** Publishes committed entries, then removes those JetStream stored. Never throws. */
  deliver(entries: readonly OutboxEntry[]): Promise<void>;
  /** Republishes what a crash or a failed publish left behind; returns how many went out. */
  sweep(minAgeMs: number): Promise<number>;
  /** Samples the backlog into smsgw_event_store_outbox_pending. */
  sample(): Promise<void>;
}

const SWEEP_PAGE = 500;
/** Pages per sweep at most: rows that cannot be removed must not keep one sweep spinning. */
const SWEEP_MAX_PAGES = 20;

export function createOutboxRelay(deps: {
  db: Kysely<EventStoreDb>;
  publisher: EventPublisher;
  log: Logger;
}): OutboxRelay {
  const { db, publisher, log } = deps;

  async function deliver(entries: readonly OutboxEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    // One publish per entry so that one failure leaves only its own row for the sweep.
    const results = await Promise.allSettled(
      entries.map((entry) => publisher.publishStatusChanges([entry.change])),
    );
    const published = entries.filter((_, i) => results[i]?.status === "fulfilled").map((e) => e.id);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) {
      log.warn(
        { failed: entries.length - published.length, err: failed.reason },
        "status changes not published; the outbox sweep retries them",
      );
    }
    try {
      await removeFromOutbox(db, published);
    } catch (error) {
      // Harmless: the sweep republishes them under the same id, which JetStream drops.
      log.warn({ err: error, count: published.length }, "published outbox rows not removed");
    }
    return published.length;
  }

  return {
    async deliver(entries) {
      await deliver(entries);
    },
    async sample() {
      outboxPending.set(await countOutbox(db));
    },
    async sweep(minAgeMs) {
      let total = 0;
      for (let page = 0; page < SWEEP_MAX_PAGES; page++) {
        const entries = await leftoverEntries(db, minAgeMs, SWEEP_PAGE);
        const published = await deliver(entries);
        total += published;
        // Stop at the end, or when publishing fails (NATS down): the next sweep retries.
        if (entries.length < SWEEP_PAGE || published < entries.length) break;
      }
      return total;
    },
  };
}

/**
 * Sweeps every `intervalMs`, taking only rows older than that interval so that batches
 * being published right now are left to their own handler.
 */
export function startOutboxSweeper(relay: OutboxRelay, intervalMs: number, log: Logger) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const tick = () => {
    running = relay
      .sweep(intervalMs)
      .then((count) => {
        if (count > 0) log.info({ count }, "outbox sweep republished status changes");
        return relay.sample();
      })
      .catch((error: unknown) => log.warn({ err: error }, "outbox sweep failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
