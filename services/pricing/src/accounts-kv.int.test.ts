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
const BY = { actor: "test", ip: null };

beforeAll(async () => {
  infra = await createTestInfra();
  const config = loadConfig(BaseEnv, infra.env);
  database = await openServiceDatabase<PricingDatabase>(config, PRICING_SCHEMA, migrations, {
    max: 2,
  });
  nats = await connectNats(config.NATS_URL, "accounts-kv-test", log);
  const name = `${infra.prefix}-${BUCKET}`;
  bucket = await openAccountsKv(nats, { accounts: name, webhookSecrets: `${name}-secrets` });
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

  it("when the publish of a key's creation or revocation fails, it is retried until the readers have it", async () => {
    const accounts = createAccountOperations({ db: database.db, kv: { put: bucket.put }, log });
    const created = await accounts.createAccount({ name: "keyed", credits: "1" });
    await waitFor(() => readers.get(created.hash));
    const key = {
      id: "key_0123456789abcdef0123",
      name: "backend",
      scopes: ["send" as const],
      allowedIps: ["203.0.113.0/24"],
      secretSha256: sha256("key_0123456789abcdef0123.secret"),
    };
    const flaky = failingFirst(2);
    const keys = createAccountOperations({ db: database.db, kv: flaky, log, publishRetryMs: 50 });
    expect((await keys.createApiKey(created.accountId, key, BY)).outcome).toBe("created");
    await waitFor(() => readers.get(created.hash)?.apiKeys?.[0]?.id === key.id, {
      what: "the new key at the readers",
    });
    expect(readers.get(created.hash)?.apiKeys?.[0]).toMatchObject(key);
    const flakyAgain = failingFirst(2);
    const revoking = createAccountOperations({
      db: database.db,
      kv: flakyAgain,
      log,
      publishRetryMs: 50,
    });
    expect(await revoking.revokeApiKey(created.accountId, key.id, BY)).toBe(true);
    await waitFor(() => readers.get(created.hash)?.apiKeys === undefined, {
      what: "the revoked key gone from the readers",
    });
    expect([flaky.failed, flakyAgain.failed]).toEqual([2, 2]);
    expect(await revoking.revokeApiKey(created.accountId, key.id, BY)).toBe(false);
  });

  it("when an account holds the most keys, another is refused and none is lost to a race", async () => {
    const accounts = createAccountOperations({ db: database.db, kv: { put: bucket.put }, log });
    const created = await accounts.createAccount({ name: "many-keys", credits: "1" });
    const make = (i: number) => ({
      id: `key_${i.toString(16).padStart(20, "0")}`,
      name: `k${i}`,
      scopes: ["read" as const],
      allowedIps: [],
      secretSha256: sha256(String(i)),
    });
    // 25 concurrent creates: the row lock orders them, the bound holds in the same statement.
    const outcomes = await Promise.all(
      Array.from({ length: 25 }, (_, i) => accounts.createApiKey(created.accountId, make(i), BY)),
    );
    expect(outcomes.filter((o) => o.outcome === "created")).toHaveLength(20);
    expect(outcomes.filter((o) => o.outcome === "limit_reached")).toHaveLength(5);
    await waitFor(() => readers.get(created.hash)?.apiKeys?.length === 20, {
      what: "twenty keys at the readers",
    });
    expect((await accounts.createApiKey("acc_missing", make(99), BY)).outcome).toBe("not_found");
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
