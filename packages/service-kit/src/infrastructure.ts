import { type Subjects, subjects as subjectsFor } from "@smsgw/contracts";
import type { Migration } from "kysely/migration";
import type { Logger } from "pino";
import type { BaseEnv } from "./config.ts";
import { type Database, openDatabase } from "./db/database.ts";
import { MigrationsApplied, migrateSchema, waitForMigrations } from "./db/migrate.ts";
import { setBucketReplicas } from "./nats/bucket.ts";
import { connectNats, type Nats } from "./nats/connect.ts";
import { setConsumerLinger } from "./nats/consumer.ts";
import { createEventPublisher, type EventPublisher } from "./nats/publisher.ts";
import { ensureEventStream } from "./nats/stream.ts";
import { streamMaxBytes } from "./telemetry/metrics.ts";

export interface Messaging {
  nats: Nats;
  subjects: Subjects;
  publisher: EventPublisher;
  /** Drains: in-flight publishes and subscriptions finish, then the connection closes. */
  close(): Promise<void>;
}

export async function openMessaging(
  config: BaseEnv,
  name: string,
  log: Logger,
  /**
   * `streamOwner`: this service applies a changed configuration of the event stream (the
   * event store: only its NATS user may, ADR 0015); the others create it when missing only.
   */
  options: { streamOwner?: boolean } = {},
): Promise<Messaging> {
  const nats = await connectNats(config, name, log);
  const subjects = subjectsFor(config.NATS_PREFIX);
  const stream = await ensureEventStream(nats.jsm, subjects, {
    replicas: config.STREAM_REPLICAS,
    maxBytes: config.STREAM_MAX_BYTES,
    update: options.streamOwner ?? false,
  });
  if (stream === "differs") {
    log.warn(
      { stream: subjects.stream },
      "the event stream's configuration differs from STREAM_REPLICAS/STREAM_MAX_BYTES here; the event store applies it",
    );
  }
  streamMaxBytes.set(config.STREAM_MAX_BYTES);
  setBucketReplicas(config.STREAM_REPLICAS);
  setConsumerLinger(config.CONSUMER_LINGER_MS);
  return {
    nats,
    subjects,
    publisher: createEventPublisher(nats.js, subjects, {
      timeoutMs: config.PUBLISH_TIMEOUT_MS,
      retryForMs: config.PUBLISH_RETRY_MS,
    }),
    async close() {
      if (!nats.nc.isClosed()) await nats.nc.drain();
    },
  };
}

/**
 * Opens the service's own schema at its latest migration: applies the migrations
 * (MIGRATE=true), waits until they are applied by someone else (false), or applies them and
 * rejects with MigrationsApplied (only), which runMain turns into a clean exit.
 */
export async function openServiceDatabase<DB>(
  config: BaseEnv,
  schema: string,
  migrations: Record<string, Migration>,
  options: { max?: number } = {},
): Promise<Database<DB>> {
  const database = openDatabase<DB>(config.DATABASE_URL, schema, {
    max: options.max ?? config.DATABASE_POOL_MAX,
    prepare: config.DATABASE_PREPARE,
  });
  try {
    if (config.MIGRATE === "false") {
      await waitForMigrations(database.db as never, schema, migrations, config.MIGRATE_WAIT_MS);
    } else {
      await migrateSchema(database.db as never, schema, migrations);
    }
    if (config.MIGRATE === "only") throw new MigrationsApplied(schema);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
