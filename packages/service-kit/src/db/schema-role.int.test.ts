import { createTestDatabase, type TestDatabase } from "@smsgw/testkit";
import { sql } from "kysely";
import type { Migration } from "kysely/migration";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BaseEnv, loadConfig } from "../config.ts";
import { openServiceDatabase } from "../infrastructure.ts";

// Given a database where a service's role owns the schema made for it and may create nothing
// else (as the CloudNativePG bootstrap sets it up, ADR 0014).
const migrations: Record<string, Migration> = {
  "0001_items": {
    up: (db) => db.schema.createTable("items").addColumn("id", "integer").execute(),
  },
};
const role = `svc_${Math.random().toString(36).slice(2, 10)}`;
let database: TestDatabase;
let admin: postgres.Sql;
const asRole = () => {
  const url = new URL(database.url);
  url.username = role;
  return url.toString();
};

beforeAll(async () => {
  database = await createTestDatabase();
  admin = postgres(database.url, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create role ${role} login`);
  await admin.unsafe(
    `revoke create on database ${new URL(database.url).pathname.slice(1)} from public`,
  );
  await admin.unsafe(`create schema items authorization ${role}`);
  await admin.unsafe("create schema other");
});
afterAll(async () => {
  await admin?.end();
  await database?.drop();
  const cleanup = postgres(
    process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    {
      max: 1,
      onnotice: () => undefined,
    },
  );
  await cleanup.unsafe(`drop role if exists ${role}`).finally(() => cleanup.end());
});

describe("a service's own role", () => {
  it("when the role owns its schema but may not create schemas, the service still migrates it", async () => {
    const config = loadConfig(BaseEnv, { DATABASE_URL: asRole() });
    const opened = await openServiceDatabase(config, "items", migrations);
    try {
      await sql`insert into items (id) values (1)`.execute(opened.db);
      // And it touches nothing outside its schema.
      await expect(sql`create table other.stolen (id integer)`.execute(opened.db)).rejects.toThrow(
        /permission denied/,
      );
    } finally {
      await opened.close();
    }
  });

  it("when a schema is not there and the role may not create it, start-up fails with Postgres's reason", async () => {
    const config = loadConfig(BaseEnv, { DATABASE_URL: asRole() });
    await expect(openServiceDatabase(config, "missing", migrations)).rejects.toThrow(
      /permission denied for database/,
    );
  });

  it("when DATABASE_PREPARE=false (a pooler without prepared statements), queries still run", async () => {
    const config = loadConfig(BaseEnv, { DATABASE_URL: asRole(), DATABASE_PREPARE: "false" });
    expect(config.DATABASE_PREPARE).toBe(false);
    const opened = await openServiceDatabase(config, "items", migrations);
    try {
      const rows = await opened.sql`select count(*)::int as n from items where id = ${1}`;
      expect(rows[0]?.n).toBe(1);
    } finally {
      await opened.close();
    }
  });
});
