import { type Subjects, subjects as subjectsFor } from "@smsgw/contracts";
import type { Migration } from "kysely/migration";
import type { Logger } from "pino";
import type { BaseEnv } from "./config.ts";
import { type Database, openDatabase } from "./db/database.ts";
import { migrateSchema } from "./db/migrate.ts";
import { setBucketReplicas } from "./nats/bucket.ts";
import { connectNats, type Nats } from "./nats/connect.ts";
import { setConsumerLinger } from "./nats/consumer.ts";
import { createEventPublisher, type EventPublisher } from "./nats/publisher.ts";
import { ensureEventStream } from "./nats/stream.ts";

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
): Promise<Messaging> {
  const nats = await connectNats(config.NATS_URL, name, log);
  const subjects = subjectsFor(config.NATS_PREFIX);
  await ensureEventStream(nats.jsm, subjects, { replicas: config.STREAM_REPLICAS });
  setBucketReplicas(config.STREAM_REPLICAS);
  setConsumerLinger(config.CONSUMER_LINGER_MS);
  return {
    nats,
    subjects,
    publisher: createEventPublisher(nats.js, subjects),
    async close() {
      if (!nats.nc.isClosed()) await nats.nc.drain();
    },
  };
}

/** Opens the service's own schema and brings it to the latest migration. */
export async function openServiceDatabase<DB>(
  config: BaseEnv,
  schema: string,
  migrations: Record<string, Migration>,
  options: { max?: number } = {},
): Promise<Database<DB>> {
  const database = openDatabase<DB>(config.DATABASE_URL, schema, options);
  try {
    await migrateSchema(database.db as never, schema, migrations);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
