import { MessageEvent } from "@smsgw/contracts";
import {
  type Database,
  type Messaging,
  openMessaging,
  openServiceDatabase,
  type RunningConsumer,
  type RunningService,
  startConsumer,
  startHealthServer,
} from "@smsgw/service-kit";
import type { Logger } from "pino";
import type { EventStoreConfig } from "./config.ts";
import { migrations } from "./db/migrations.ts";
import { type EventStoreDb, SCHEMA } from "./db/schema.ts";
import { createAppendHandler } from "./handlers/append-events.ts";
import { createOutboxRelay, startOutboxSweeper } from "./handlers/outbox-relay.ts";

export const DURABLE = "event-store";

export interface StartedEventStore extends RunningService {
  /** The health server's port (useful when HEALTH_PORT=0). */
  healthPort: number;
}

/**
 * Consumes every message event into the log and the status projection, and publishes the
 * status changes through the outbox (README.md says how).
 */
export async function startEventStore(
  config: EventStoreConfig,
  log: Logger,
): Promise<StartedEventStore> {
  let ready = false;
  let stopping = false;
  const health = await startHealthServer(config.HEALTH_PORT, config.HTTP_HOST, {
    live: () => true,
    ready: () => ready && !stopping,
  });
  let database: Database<EventStoreDb> | undefined;
  let messaging: Messaging | undefined;
  let consumer: RunningConsumer | undefined;
  let sweeper: { stop(): Promise<void> } | undefined;

  async function stop(): Promise<void> {
    stopping = true;
    await consumer?.stop();
    await sweeper?.stop();
    await health.close();
    await messaging?.close();
    await database?.close();
  }

  try {
    database = await openServiceDatabase<EventStoreDb>(config, SCHEMA, migrations, {
      max: config.DATABASE_POOL_MAX,
    });
    messaging = await openMessaging(config, "event-store", log);
    const relay = createOutboxRelay({ db: database.db, publisher: messaging.publisher, log });
    // Whatever a previous run committed but did not publish goes out first.
    const republished = await relay.sweep(0);
    if (republished > 0) log.info({ count: republished }, "outbox republished at start-up");
    sweeper = startOutboxSweeper(relay, config.OUTBOX_SWEEP_MS, log);
    consumer = await startConsumer(messaging.nats, {
      stream: messaging.subjects.stream,
      durable: DURABLE,
      filterSubject: messaging.subjects.allEvents,
      schema: MessageEvent,
      log,
      maxBatch: config.MAX_BATCH,
      concurrency: config.CONCURRENCY,
      handle: createAppendHandler({ sql: database.sql, relay, log }),
    });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  ready = true;

  return {
    healthPort: health.port,
    ready: () => ready && !stopping,
    stop,
  };
}
