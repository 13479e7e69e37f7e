import { EVENT_STORE_DURABLE } from "@smsgw/contracts";
import {
  createEraseNotifier,
  type Database,
  type Messaging,
  openBucket,
  openMessaging,
  openServiceDatabase,
  type RunningConsumer,
  type RunningService,
  startConsumer,
  startHealthServer,
  startStreamEraser,
  streamFirstSeq,
} from "@smsgw/service-kit";
import type { Logger } from "pino";
import type { EventStoreConfig } from "./config.ts";
import { migrations } from "./db/migrations.ts";
import { type EventStoreDb, SCHEMA } from "./db/schema.ts";
import { createStatusPublishLog } from "./db/status-publish-log.ts";
import { eventStoreErasureQueue } from "./db/stream-erasure.ts";
import { EventDelivery } from "./domain/raw-event.ts";
import { createAppendHandler } from "./handlers/append-events.ts";
import { drainLegacyOutbox } from "./handlers/legacy-outbox.ts";
import { startRedactResponder } from "./handlers/redact-responder.ts";
import { startRetention } from "./handlers/retention.ts";
import { createRetentionPolicyPublisher } from "./handlers/retention-policy.ts";
import { streamEraserMetrics } from "./metrics.ts";

export const DURABLE = EVENT_STORE_DURABLE;

export interface StartedEventStore extends RunningService {
  /** The health server's port (useful when HEALTH_PORT=0). */
  healthPort: number;
}

/**
 * Consumes every message event (one at a time or in EventBatch envelopes) into the log and
 * the status projection, and publishes the status changes before acking (ADR 0009).
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
  let redactions: { stop(): Promise<void> } | undefined;
  let retention: { stop(): Promise<void> } | undefined;
  let streamEraser: ReturnType<typeof startStreamEraser> | undefined;
  let publishLog: ReturnType<typeof createStatusPublishLog> | undefined;

  async function stop(): Promise<void> {
    stopping = true;
    await consumer?.stop();
    await publishLog?.close().catch((error: unknown) => {
      log.warn({ err: String(error) }, "status envelopes not recorded at stop");
    });
    await redactions?.stop();
    await retention?.stop();
    await streamEraser?.stop();
    await health.close();
    await messaging?.close();
    await database?.close();
  }

  try {
    database = await openServiceDatabase<EventStoreDb>(config, SCHEMA, migrations, {
      max: config.DATABASE_POOL_MAX,
    });
    // The event store owns the log: it alone applies a changed stream configuration (ADR 0015).
    messaging = await openMessaging(config, "event-store", log, { streamOwner: true });
    await drainLegacyOutbox({ db: database.db, publisher: messaging.publisher, log });
    publishLog = createStatusPublishLog(database.sql, {
      onError: (error) => log.warn({ err: String(error) }, "status envelopes not recorded yet"),
    });
    consumer = await startConsumer(messaging.nats, {
      stream: messaging.subjects.stream,
      durable: DURABLE,
      filterSubject: messaging.subjects.allEvents,
      schema: EventDelivery,
      log,
      maxBatch: config.MAX_BATCH,
      // One batch at a time: a replica's batches never fold the same message at once, so the
      // fold needs no row locks (replicas race rarely; the revision check catches it).
      concurrency: 1,
      handle: createAppendHandler({
        sql: database.sql,
        publisher: messaging.publisher,
        log,
        publishLog,
      }),
    });
    const now = () => new Date();
    const notifyErased = createEraseNotifier(messaging.nats.js, messaging.subjects);
    const { jsm } = messaging.nats;
    const stream = messaging.subjects.stream;
    // The stream's copies of erased content (ADR 0021): deleted once every reader is past them.
    const eraser = startStreamEraser({
      queue: eventStoreErasureQueue(database.sql),
      jsm,
      stream,
      log,
      intervalMs: config.STREAM_ERASER_INTERVAL_MS,
      metrics: streamEraserMetrics,
    });
    streamEraser = eraser;
    redactions = startRedactResponder({
      nc: messaging.nats.nc,
      subject: messaging.subjects.redactMessage,
      sql: database.sql,
      log,
      now,
      notifyErased,
      onErased: eraser.kick,
    });
    retention = startRetention({
      sql: database.sql,
      log,
      defaultDays: config.RETENTION_DAYS,
      batch: config.RETENTION_BATCH,
      maxBatches: config.RETENTION_MAX_BATCHES,
      intervalMs: config.RETENTION_INTERVAL_MS,
      now,
      notifyErased,
      streamFloor: () => streamFirstSeq(jsm, stream),
      onErased: eraser.kick,
      publishPolicy: createRetentionPolicyPublisher(
        await openBucket(messaging.nats.nc, messaging.subjects.retentionBucket),
        database.sql,
        config.RETENTION_DAYS,
      ),
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
