import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { type NatsUser, subjects } from "@smsgw/contracts";
import postgres from "postgres";
import { startAuthorizedNats } from "./authorized-nats.ts";

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
  /** The environment a service under test reads (with its NATS login under `natsUser`). */
  env: Record<string, string>;
  /**
   * `env` with another service's NATS login (`natsUser`), for a test that runs several, or the
   * operator's for any other name (the test's own clients: `envOf("operator")`); on the
   * machine's NATS, `env` as it is.
   */
  envOf(user: string): Record<string, string>;
  /** The permission violations of the file's nats-server so far (`natsUser`; else none). */
  natsViolations(): string[];
  cleanup(): Promise<void>;
}

export interface TestInfraOptions {
  /**
   * The NATS user of the service under test (ADR 0015). The file then gets a nats-server of
   * its own with the permission file rendered for its prefix (`startAuthorizedNats`): `env`
   * logs in as that user, a connection with a bare URL (the test's stand-ins and checks) as
   * the operator, and `cleanup` fails on any permission violation the server logged, so a
   * grant the service lacks fails its test. TEST_NATS_AUTH=0 keeps the machine's NATS (or
   * NATS_URL) without users.
   */
  natsUser?: NatsUser;
}

/** The Postgres pool of each service a test starts from `env` (a test may pass its own). */
export const TEST_DATABASE_POOL_MAX = "3";

/** Whether the tests run their services under the permission file (TEST_NATS_AUTH=0: not). */
export const TEST_NATS_AUTH = process.env.TEST_NATS_AUTH !== "0";

export async function createTestInfra(
  extraEnv: Record<string, string> = {},
  options: TestInfraOptions = {},
): Promise<TestInfra> {
  const prefix = uniqueName("t");
  const database = await createTestDatabase();
  const nats =
    options.natsUser && TEST_NATS_AUTH
      ? await startAuthorizedNats(prefix, { anonymousOperator: true }).catch(async (error) => {
          await database.drop();
          throw error;
        })
      : undefined;
  const infra: TestInfra = {
    prefix,
    database,
    natsViolations: () => nats?.violations() ?? [],
    envOf: (user) => ({ ...infra.env, ...nats?.envOf(user) }),
    env: {
      NATS_URL: TEST_NATS_URL,
      ...(nats && options.natsUser ? nats.envOf(options.natsUser) : {}),
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
      // Two test files at once, each with several services, share the machine's Postgres
      // (max_connections 100): at the services' default pools (up to 10 each) a burst could
      // be refused with "too many clients". Three connections are routing's production pool.
      // Benchmarks run outside vitest keep the services' own defaults.
      ...(process.env.VITEST ? { DATABASE_POOL_MAX: TEST_DATABASE_POOL_MAX } : {}),
      ...extraEnv,
    },
    async cleanup() {
      if (!nats) {
        await deleteNatsPrefix(prefix);
        return database.drop();
      }
      const violations = nats.violations();
      await nats.stop();
      await database.drop();
      if (violations.length > 0) {
        throw new Error(`NATS permission violations:\n${violations.join("\n")}`);
      }
    },
  };
  return infra;
}
