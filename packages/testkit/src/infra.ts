import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { subjects } from "@smsgw/contracts";
import postgres from "postgres";

/**
 * Tests talk to the real NATS and PostgreSQL: NATS_URL / DATABASE_URL when set, else
 * the machine's own (127.0.0.1). Each test file isolates itself with its own database
 * and its own subject prefix, so files run in parallel and beside a running local stack.
 */
export const TEST_NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const ADMIN_DATABASE_URL =
  process.env.TEST_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function uniqueName(stem = "t"): string {
  return `${stem}${randomBytes(5).toString("hex")}`;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = uniqueName("test_");
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
      try {
        await client.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Removes what a test prefix created on NATS: its event stream and every `<prefix>_*` KV bucket. */
export async function deleteNatsPrefix(prefix: string): Promise<void> {
  const nc = await connect({ servers: TEST_NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    const mine = [subjects(prefix).stream];
    for await (const name of jsm.streams.names()) {
      // A KV bucket named B lives in the stream KV_B.
      if (name.startsWith(`KV_${prefix}_`)) mine.push(name);
    }
    await Promise.all(mine.map((name) => jsm.streams.delete(name).catch(() => false)));
  } finally {
    await nc.close();
  }
}

export interface TestInfra {
  prefix: string;
  database: TestDatabase;
  /** The environment a service under test reads. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createTestInfra(extraEnv: Record<string, string> = {}): Promise<TestInfra> {
  const prefix = uniqueName("t");
  const database = await createTestDatabase();
  return {
    prefix,
    database,
    env: {
      NATS_URL: TEST_NATS_URL,
      DATABASE_URL: database.url,
      NATS_PREFIX: prefix,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      // Admission control (on in production) refuses sends when answers slow down; on a CI
      // machine running many test files at once that would be a test's own bursts refused.
      // Its own tests turn it on.
      ADMISSION_ENABLED: "false",
      // The event store's retention job (ADR 0021) erases the text and number of messages
      // final for 30 days: a test whose events carry fixed past dates would see them erased
      // mid-test once those dates are old enough. Its own tests run it with their own clock.
      RETENTION_INTERVAL_MS: "86400000",
      ...extraEnv,
    },
    async cleanup() {
      await deleteNatsPrefix(prefix);
      await database.drop();
    },
  };
}
