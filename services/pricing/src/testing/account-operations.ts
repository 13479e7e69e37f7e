import { setTimeout as sleep } from "node:timers/promises";
import {
  BaseEnv,
  createLogger,
  type Database,
  loadConfig,
  openServiceDatabase,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { type Kysely, sql } from "kysely";
import { type AccountOperations, createAccountOperations } from "../accounts.ts";
import { migrations, PRICING_SCHEMA } from "../db/migrations.ts";
import type { PricingDatabase } from "../db/schema.ts";
import { createPriceBook } from "../domain/price-book.ts";

export interface TestAccounts {
  infra: TestInfra;
  database: Database<PricingDatabase>;
  accounts: AccountOperations;
  close(): Promise<void>;
}

/**
 * Pricing's account operations on a fresh test database, without NATS: the accounts bucket is
 * not what these tests look at (accounts-kv.int.test.ts is), so publishing does nothing.
 */
export async function openTestAccounts(name: string, poolMax: number): Promise<TestAccounts> {
  const infra = await createTestInfra();
  const config = loadConfig(BaseEnv, infra.env);
  const database = await openServiceDatabase<PricingDatabase>(config, PRICING_SCHEMA, migrations, {
    max: poolMax,
  });
  const log = createLogger(name, process.env.TEST_LOG_LEVEL ?? "silent");
  const accounts = createAccountOperations({ db: database.db, kv: { put: async () => {} }, log });
  return {
    infra,
    database,
    accounts,
    async close() {
      await database.close();
      await infra.cleanup();
    },
  };
}

/** One price: Estonia, 420 money units a part, in EUR. */
export const estonianPrices = createPriceBook([
  { prefix: "+372", country: "EE", pricePerPart: 420, currency: "EUR" },
]);

/** A test account with this id and balance (EUR), written straight into its table. */
export async function insertAccount(
  db: Kysely<PricingDatabase>,
  accountId: string,
  balance = 10_000,
): Promise<void> {
  await sql`
    insert into accounts (account_id, name, hash, token_sha256, currency, test, balance, webhook_secret)
    values (${accountId}, ${accountId}, ${`h_${accountId}`}, ${"0".repeat(64)}, 'EUR', true,
            ${balance}, 'whsec_x')`.execute(db);
}

/**
 * Holds an account's row (FOR UPDATE) for `ms`, as a refund or a top-up would; resolves once
 * it is taken, with when (ms) and the transaction that releases it.
 */
export async function holdAccountRow(
  db: Kysely<PricingDatabase>,
  accountId: string,
  ms: number,
): Promise<{ takenAt: number; released: Promise<void> }> {
  let taken: (at: number) => void = () => undefined;
  const takenAt = new Promise<number>((resolve) => (taken = resolve));
  const released = db.transaction().execute(async (tx) => {
    await sql`select 1 from accounts where account_id = ${accountId} for update`.execute(tx);
    taken(Date.now());
    await sleep(ms);
  });
  return {
    takenAt: await Promise.race([
      takenAt,
      released.then(() => Promise.reject(new Error("no lock"))),
    ]),
    released,
  };
}
