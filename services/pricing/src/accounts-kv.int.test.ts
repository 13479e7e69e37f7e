import { createHash } from "node:crypto";
import { AccountRecord } from "@smsgw/contracts";
import {
  BaseEnv,
  connectNats,
  createLogger,
  type Database,
  type KvCache,
  loadConfig,
  type Nats,
  openServiceDatabase,
  startKvCache,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccountOperations } from "./accounts.ts";
import { type AccountsKv, openAccountsKv } from "./accounts-kv.ts";
import { migrations, PRICING_SCHEMA } from "./db/migrations.ts";
import type { PricingDatabase } from "./db/schema.ts";

// The accounts bucket is what ingress and the dispatcher trust: a rotated token or a disabled
// account must reach it even when a publish fails, and an older record must never land last.
const log = createLogger("accounts-kv-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let database: Database<PricingDatabase>;
let nats: Nats;
let bucket: AccountsKv;
let readers: KvCache<AccountRecord>;
const BUCKET = "accounts-kv-test";

beforeAll(async () => {
  infra = await createTestInfra();
  const config = loadConfig(BaseEnv, infra.env);
  database = await openServiceDatabase<PricingDatabase>(config, PRICING_SCHEMA, migrations, {
    max: 2,
  });
  nats = await connectNats(config.NATS_URL, "accounts-kv-test", log);
  const name = `${infra.prefix}-${BUCKET}`;
  bucket = await openAccountsKv(nats, name);
  readers = await startKvCache(nats.nc, name, AccountRecord, log);
});
afterAll(async () => {
  await readers?.stop();
  await nats?.nc.close();
  await database?.close();
  await infra?.cleanup();
});

/** The bucket, failing its next `failures` puts as a NATS outage would. */
function failingFirst(failures: number): AccountsKv & { failed: number } {
  const kv = {
    failed: 0,
    async put(record: AccountRecord) {
      if (kv.failed < failures) {
        kv.failed++;
        throw new Error("NATS: connection closed");
      }
      await bucket.put(record);
    },
  };
  return kv;
}

describe("publishing accounts to the bucket", () => {
  it("when the publish of a token rotation fails, it is retried until the readers have the new token", async () => {
    const kv = failingFirst(3);
    const accounts = createAccountOperations({ db: database.db, kv: { put: bucket.put }, log });
    const created = await accounts.createAccount({ name: "rotating", credits: "1" });
    await waitFor(() => readers.get(created.hash));
    const flaky = createAccountOperations({ db: database.db, kv, log, publishRetryMs: 50 });
    const rotated = await flaky.rotateToken(created.accountId);
    expect(kv.failed).toBeGreaterThan(0);
    await waitFor(() => readers.get(created.hash)?.tokenSha256 === sha256(rotated.token), {
      what: "the rotated token at the readers",
    });
    expect(kv.failed).toBe(3);
  });

  it("when an older record is put after a newer one, the bucket keeps the newer", async () => {
    const accounts = createAccountOperations({ db: database.db, kv: { put: bucket.put }, log });
    const created = await accounts.createAccount({ name: "ordered", credits: "1" });
    const newer = await waitFor(() => readers.get(created.hash));
    const older: AccountRecord = {
      ...newer,
      tokenSha256: "0".repeat(64),
      updatedAt: new Date(Date.parse(newer.updatedAt) - 60_000).toISOString(),
    };
    await bucket.put(older);
    const disabled = await accounts.disable(created.accountId);
    expect(disabled.status).toBe("disabled");
    await waitFor(() => readers.get(created.hash)?.status === "disabled");
    await bucket.put({ ...older, status: "active" });
    // Give a wrongly accepted put the time to reach the readers' watch.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(readers.get(created.hash)).toMatchObject({
      status: "disabled",
      tokenSha256: newer.tokenSha256,
    });
  });
});

function sha256(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
