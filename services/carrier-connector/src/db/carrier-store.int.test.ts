import { randomBytes } from "node:crypto";
import { createSecretBox, type Database, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CarrierConfig, loadCarrierConnectorConfig } from "../config.ts";
import { createCarrierStore } from "./carrier-store.ts";
import { CONNECTOR_SCHEMA, migrations } from "./migrations.ts";
import type { ConnectorDatabase } from "./schema.ts";

// Carrier passwords at rest (issue 23): sealed under CARRIER_SECRETS_KEY, on real Postgres.
let infra: TestInfra;
let database: Database<ConnectorDatabase>;
let carrier: CarrierConfig;

beforeAll(async () => {
  infra = await createTestInfra();
  const config = loadCarrierConnectorConfig(infra.env);
  database = await openServiceDatabase<ConnectorDatabase>(config, CONNECTOR_SCHEMA, migrations);
  const [first] = config.CARRIERS;
  if (!first) throw new Error("no default carrier");
  carrier = { ...first, password: "s3cr3t!" };
});
afterAll(async () => {
  await database?.close();
  await infra?.cleanup();
});
beforeEach(async () => {
  await sql`delete from carriers`.execute(database.db);
});

/** Every row of the table as text: what a dump would hold. */
async function dumped(): Promise<string> {
  const { rows } = await sql<{ row: string }>`select carriers::text as row from carriers`.execute(
    database.db,
  );
  return rows.map((r) => r.row).join("\n");
}

const key = () => randomBytes(32);

describe("the carriers' passwords at rest", () => {
  it("when a key is set, a stored carrier's password is in no column of its row, and reads back as given", async () => {
    const store = createCarrierStore(database.db, createSecretBox(key()));
    await store.put(carrier);
    expect(await dumped()).not.toContain("s3cr3t!");
    expect(await dumped()).toContain("sealed:v1:");
    expect((await store.list()).carriers).toEqual([carrier]);
  });

  it("when a key is set after carriers were stored in clear, sealAll seals them and they still read back", async () => {
    await createCarrierStore(database.db).put(carrier);
    expect(await dumped()).toContain("s3cr3t!");
    const store = createCarrierStore(database.db, createSecretBox(key()));
    expect(await store.sealAll()).toBe(1);
    expect(await dumped()).not.toContain("s3cr3t!");
    expect((await store.list()).carriers).toEqual([carrier]);
    expect(await store.sealAll()).toBe(0);
  });

  it("when the key rotates, the previous key still opens them, sealAll moves them to the new one, and then the old key alone does not", async () => {
    const [old, next] = [key(), key()];
    await createCarrierStore(database.db, createSecretBox(old)).put(carrier);
    const rotating = createCarrierStore(database.db, createSecretBox(next, old));
    expect((await rotating.list()).carriers).toEqual([carrier]);
    expect(await rotating.sealAll()).toBe(1);
    expect((await createCarrierStore(database.db, createSecretBox(next)).list()).carriers).toEqual([
      carrier,
    ]);
    const stale = await createCarrierStore(database.db, createSecretBox(old)).list();
    expect(stale).toEqual({ carriers: [], invalid: [carrier.id] });
  });

  it("when a password is sealed and the service has no key, the carrier is reported unreadable, not bound with garbage", async () => {
    await createCarrierStore(database.db, createSecretBox(key())).put(carrier);
    expect(await createCarrierStore(database.db).list()).toEqual({
      carriers: [],
      invalid: [carrier.id],
    });
  });
});
