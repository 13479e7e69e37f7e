import { createTestDatabase, type TestDatabase } from "@smsgw/testkit";
import { sql } from "kysely";
import type { Migration } from "kysely/migration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BaseEnv, loadConfig } from "../config.ts";
import { openServiceDatabase } from "../infrastructure.ts";
import { MigrationsApplied, MigrationsMissing } from "./migrate.ts";

// Given a service with two migrations and a database of its own.
const migrations: Record<string, Migration> = {
  "0001_notes": {
    up: (db) => db.schema.createTable("notes").addColumn("id", "integer").execute(),
  },
  "0002_note_text": {
    up: (db) => db.schema.alterTable("notes").addColumn("text", "text").execute(),
  },
};
let database: TestDatabase;
const config = (env: Record<string, string>) =>
  loadConfig(BaseEnv, { DATABASE_URL: database.url, MIGRATE_WAIT_MS: "5000", ...env });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("who applies a service's migrations (MIGRATE)", () => {
  it("when MIGRATE=false and nobody migrated, the service waits, then fails naming what is missing", async () => {
    const started = Date.now();
    await expect(
      openServiceDatabase(
        config({ MIGRATE: "false", MIGRATE_WAIT_MS: "1500" }),
        "waiter",
        migrations,
      ),
    ).rejects.toThrow(MigrationsMissing);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    await expect(
      openServiceDatabase(config({ MIGRATE: "false", MIGRATE_WAIT_MS: "0" }), "waiter", migrations),
    ).rejects.toThrow(/lacks migrations 0001_notes, 0002_note_text/);
  });

  it("when MIGRATE=false and the init step migrates meanwhile, the service starts once it is done", async () => {
    const waiting = openServiceDatabase(config({ MIGRATE: "false" }), "notes", migrations);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The init container: MIGRATE=only applies them and reports that it is done.
    await expect(
      openServiceDatabase(config({ MIGRATE: "only" }), "notes", migrations),
    ).rejects.toThrow(MigrationsApplied);
    const opened = await waiting;
    try {
      await sql`insert into notes (id, text) values (1, 'hi')`.execute(opened.db);
      const rows = await sql<{ text: string }>`select text from notes.notes`.execute(opened.db);
      expect(rows.rows).toEqual([{ text: "hi" }]);
    } finally {
      await opened.close();
    }
  });

  it("when MIGRATE is left alone (local runs, tests), the service migrates at start as before", async () => {
    const opened = await openServiceDatabase(config({}), "local", migrations);
    try {
      const rows = await sql<{
        name: string;
      }>`select name from local.kysely_migration order by name`.execute(opened.db);
      expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(migrations));
    } finally {
      await opened.close();
    }
  });
});
