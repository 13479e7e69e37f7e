import { newMessageId } from "@smsgw/contracts";
import { type Database, migrateSchema, openDatabase } from "@smsgw/service-kit";
import { createTestDatabase, type TestDatabase } from "@smsgw/testkit";
import { type Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrations, PRICING_SCHEMA } from "./migrations.ts";
import { refundBatch } from "./refunds.ts";
import type { PricingDatabase } from "./schema.ts";
import { advanceMark, dueCharges } from "./settlement.ts";

// The settlement of charges without a row per charge (migrations 0007 and 0012, ADR 0024), on
// real Postgres: the upgrade from pending rows and from the acceptance log, the mark's slices.
let database: TestDatabase;
let pricing: Database<PricingDatabase>;

const migrate = (schema: string, set: typeof migrations) =>
  migrateSchema(pricing.db as unknown as Kysely<unknown>, schema, set);
const migrationsBefore = (name: string) =>
  Object.fromEntries(Object.entries(migrations).filter(([key]) => key < name));

beforeEach(async () => {
  database = await createTestDatabase();
  pricing = openDatabase<PricingDatabase>(database.url, PRICING_SCHEMA, { max: 2 });
});
afterEach(async () => {
  await pricing?.close();
  await database?.drop();
});

async function account(accountId: string): Promise<void> {
  await sql`
    insert into accounts (account_id, name, hash, token_sha256, currency, test, balance, webhook_secret)
    values (${accountId}, ${accountId}, ${`h_${accountId}`}, ${"0".repeat(64)}, 'EUR', true,
            10000, 'whsec_x')`.execute(pricing.db);
}

/** A charge of 420 made `minutesAgo` minutes ago; its ledger id. */
async function charge(accountId: string, messageId: string, minutesAgo: number) {
  const { rows } = await sql<{ id: string }>`
    insert into ledger (account_id, kind, amount, message_id, parts, price_per_part, actor, created_at)
    values (${accountId}, 'charge', -420, ${messageId}, 1, 420, 'pricing',
            now() - make_interval(mins => ${minutesAgo}))
    returning id::text as id`.execute(pricing.db);
  return rows[0]?.id ?? "";
}

async function mark() {
  const { rows } = await sql<{ ledger_id: string }>`
    select ledger_id::text as ledger_id from settlement_mark`.execute(pricing.db);
  return rows[0];
}

describe("migrations 0007 and 0012: from a pending row per charge, then from the acceptance log", () => {
  it("when charges were left pending by the version before, the mark stops before the first of them, so the sweep settles them as it would have", async () => {
    await migrate(PRICING_SCHEMA, migrationsBefore("0007"));
    await account("acc_old");
    const [settled, pendingA, accepted, pendingB] = Array.from({ length: 4 }, () =>
      newMessageId(),
    ) as [string, string, string, string];
    await charge("acc_old", settled, 30);
    const firstPendingId = await charge("acc_old", pendingA, 20);
    await charge("acc_old", accepted, 19);
    await charge("acc_old", pendingB, 18);
    await sql`
      insert into pending_charges (message_id, account_id, charged_at)
      values (${pendingA}, 'acc_old', now() - interval '20 minutes'),
             (${pendingB}, 'acc_old', now() - interval '18 minutes')`.execute(pricing.db);

    await migrate(PRICING_SCHEMA, migrations);

    expect((await mark())?.ledger_id).toBe(String(Number(firstPendingId) - 1));
    // The sweep asks the event store's record about each of them (ADR 0024).
    const due = await dueCharges(pricing.db, 5 * 60_000, 1_000);
    expect(due.messageIds).toEqual([pendingA, accepted, pendingB]);
  });

  it("when the version before logged acceptances, the log is dropped and the mark kept: charges past it are asked about again", async () => {
    await migrate(PRICING_SCHEMA, migrationsBefore("0012"));
    await account("acc_log");
    const before = await charge("acc_log", newMessageId(), 30);
    await advanceMark(pricing.db, before);
    const after = newMessageId();
    await charge("acc_log", after, 20);
    await sql`insert into accepted_log (message_ids) values (${[after]}::text[])`.execute(
      pricing.db,
    );

    await migrate(PRICING_SCHEMA, migrations);

    expect((await mark())?.ledger_id).toBe(before);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from information_schema.tables
      where table_schema = ${PRICING_SCHEMA} and table_name = 'accepted_log'`.execute(pricing.db);
    expect(rows[0]?.n).toBe(0);
    expect((await dueCharges(pricing.db, 5 * 60_000, 1_000)).messageIds).toEqual([after]);
  });

  it("when nothing was pending, the mark is the last ledger row: nothing before it is looked at again", async () => {
    await migrate(PRICING_SCHEMA, migrationsBefore("0007"));
    await account("acc_quiet");
    const last = await charge("acc_quiet", newMessageId(), 60);
    await migrate(PRICING_SCHEMA, migrations);
    expect((await mark())?.ledger_id).toBe(last);
    expect(await dueCharges(pricing.db, 0, 1_000)).toEqual({ lastId: null, messageIds: [] });
  });
});

describe("the mark", () => {
  it("when charges are due, the sweep's slice names those no refund settled, within the grace none, and the mark moves past it and never back", async () => {
    await migrate(PRICING_SCHEMA, migrations);
    await account("acc_new");
    const ids = Array.from({ length: 4 }, () => newMessageId());
    const [refunded, ...open] = ids as [string, ...string[]];
    const ledgerIds = [];
    for (const id of ids) ledgerIds.push(await charge("acc_new", id, 10));
    const young = newMessageId();
    await charge("acc_new", young, 0);
    await refundBatch(pricing.db, [{ messageId: refunded, reason: "failed" }]);

    const due = await dueCharges(pricing.db, 5 * 60_000, 1_000);
    // The young charge is within the grace: neither listed nor passed by the mark.
    expect(due).toEqual({ lastId: ledgerIds.at(-1), messageIds: open });
    await advanceMark(pricing.db, due.lastId ?? "0");
    expect(await dueCharges(pricing.db, 5 * 60_000, 1_000)).toEqual({
      lastId: null,
      messageIds: [],
    });
    // A replica that looked before the mark moved cannot move it back.
    await advanceMark(pricing.db, "1");
    expect((await mark())?.ledger_id).toBe(ledgerIds.at(-1));
  });

  it("when a charge with a lower id is still young and one after it is old, neither is taken and the mark stays before both until the young one is old", async () => {
    await migrate(PRICING_SCHEMA, migrations);
    await account("acc_order");
    const [settled, lateTime, earlyTime] = Array.from({ length: 3 }, () => newMessageId()) as [
      string,
      string,
      string,
    ];
    const settledId = await charge("acc_order", settled, 30);
    // A lower id with a later time: its batch drew its id first and its time later (or
    // committed after the next one did).
    await charge("acc_order", lateTime, 2);
    const lastId = await charge("acc_order", earlyTime, 10);

    expect(await dueCharges(pricing.db, 5 * 60_000, 1_000)).toEqual({
      lastId: settledId,
      messageIds: [settled],
    });
    await advanceMark(pricing.db, settledId);
    expect(await dueCharges(pricing.db, 5 * 60_000, 1_000)).toEqual({
      lastId: null,
      messageIds: [],
    });
    // Once both are old, both are taken.
    expect(await dueCharges(pricing.db, 60_000, 1_000)).toEqual({
      lastId,
      messageIds: [lateTime, earlyTime],
    });
  });

  it("when a slice is smaller than what is due, the next call takes up after it", async () => {
    await migrate(PRICING_SCHEMA, migrations);
    await account("acc_slices");
    const ids = Array.from({ length: 5 }, () => newMessageId());
    for (const id of ids) await charge("acc_slices", id, 10);
    const first = await dueCharges(pricing.db, 0, 3);
    expect(first.messageIds).toEqual(ids.slice(0, 3));
    await advanceMark(pricing.db, first.lastId ?? "0");
    expect((await dueCharges(pricing.db, 0, 3)).messageIds).toEqual(ids.slice(3));
  });
});
