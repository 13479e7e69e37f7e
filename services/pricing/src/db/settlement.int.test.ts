import { newMessageId } from "@smsgw/contracts";
import { type Database, migrateSchema, openDatabase } from "@smsgw/service-kit";
import { createTestDatabase, type TestDatabase } from "@smsgw/testkit";
import { type Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrations, PRICING_SCHEMA } from "./migrations.ts";
import { refundBatch } from "./refunds.ts";
import type { PricingDatabase } from "./schema.ts";
import {
  advanceMark,
  forgetAcceptances,
  recordAcceptances,
  unacceptedCharges,
} from "./settlement.ts";

// The settlement of charges without a row per charge (migration 0007), on real Postgres:
// the upgrade from pending rows, the acceptance log a batch to a row, the mark.
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
  const { rows } = await sql<{ ledger_id: string; log_from: Date }>`
    select ledger_id::text as ledger_id, log_from from settlement_mark`.execute(pricing.db);
  return rows[0];
}

describe("migration 0007: from a pending row per charge to the acceptance log", () => {
  it("when charges were left pending by the version before, the mark stops before the first of them and the log starts a minute before it, so they are settled as they would have been", async () => {
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

    const after = await mark();
    expect(after?.ledger_id).toBe(String(Number(firstPendingId) - 1));
    const logFrom = after?.log_from.getTime() ?? 0;
    expect(Date.now() - logFrom).toBeGreaterThan(20 * 60_000);
    expect(Date.now() - logFrom).toBeLessThan(22 * 60_000);
    // The new durable reads the acceptances stored since then again: the accepted one and
    // one of the pending ones (its acceptance had not been read yet).
    await recordAcceptances(pricing.db, [accepted, pendingB]);
    const due = await unacceptedCharges(pricing.db, 5 * 60_000, 1_000);
    expect(due.messageIds).toEqual([pendingA]);
  });

  it("when nothing was pending, the mark is the last ledger row: nothing before it is looked at again", async () => {
    await migrate(PRICING_SCHEMA, migrationsBefore("0007"));
    await account("acc_quiet");
    const last = await charge("acc_quiet", newMessageId(), 60);
    await migrate(PRICING_SCHEMA, migrations);
    expect((await mark())?.ledger_id).toBe(last);
    expect(await unacceptedCharges(pricing.db, 0, 1_000)).toEqual({
      lastId: null,
      messageIds: [],
    });
  });
});

describe("the acceptance log and the mark", () => {
  it("when acceptances are read in a batch, they are one row; the sweep's slice names only the charges no row names and no refund settled, and the mark moves past it", async () => {
    await migrate(PRICING_SCHEMA, migrations);
    await account("acc_new");
    const ids = Array.from({ length: 5 }, () => newMessageId());
    const [orphan, refunded, ...accepted] = ids as [string, string, ...string[]];
    const ledgerIds = [];
    for (const id of ids) ledgerIds.push(await charge("acc_new", id, 10));
    const young = newMessageId();
    await charge("acc_new", young, 0);
    await recordAcceptances(pricing.db, [...accepted, refunded]);
    await refundBatch(pricing.db, [{ messageId: refunded, reason: "failed" }]);
    const { rows } = await sql<{ n: string }>`
      select count(*)::text as n from accepted_log`.execute(pricing.db);
    expect(rows[0]?.n).toBe("1");

    const due = await unacceptedCharges(pricing.db, 5 * 60_000, 1_000);
    // The young charge is within the grace: neither listed nor passed by the mark.
    expect(due).toEqual({ lastId: ledgerIds.at(-1), messageIds: [orphan] });
    await advanceMark(pricing.db, due.lastId ?? "0");
    expect(await unacceptedCharges(pricing.db, 5 * 60_000, 1_000)).toEqual({
      lastId: null,
      messageIds: [],
    });
    // A replica that looked before the mark moved cannot move it back.
    await advanceMark(pricing.db, "1");
    expect((await mark())?.ledger_id).toBe(ledgerIds.at(-1));
  });

  it("when a slice is smaller than what is due, the next call takes up after it", async () => {
    await migrate(PRICING_SCHEMA, migrations);
    await account("acc_slices");
    const ids = Array.from({ length: 5 }, () => newMessageId());
    for (const id of ids) await charge("acc_slices", id, 10);
    const first = await unacceptedCharges(pricing.db, 0, 3);
    expect(first.messageIds).toEqual(ids.slice(0, 3));
    await advanceMark(pricing.db, first.lastId ?? "0");
    expect((await unacceptedCharges(pricing.db, 0, 3)).messageIds).toEqual(ids.slice(3));
  });

  it("when a never-accepted refund comes after the acceptance was logged, it refunds nothing", async () => {
    await migrate(PRICING_SCHEMA, migrations);
    await account("acc_race");
    const id = newMessageId();
    await charge("acc_race", id, 10);
    await recordAcceptances(pricing.db, [id]);
    const late = await refundBatch(pricing.db, [{ messageId: id, reason: "not_accepted" }]);
    expect(late.refunds).toEqual([]);
  });

  it("when the mark has moved on, acceptances seen well before its charge are forgotten, later ones kept", async () => {
    await migrate(PRICING_SCHEMA, migrations);
    await account("acc_forget");
    const old = newMessageId();
    await charge("acc_forget", old, 60);
    await sql`
      insert into accepted_log (message_ids, seen_at)
      values (${[old]}::text[], now() - interval '59 minutes')`.execute(pricing.db);
    const recent = newMessageId();
    const recentId = await charge("acc_forget", recent, 5);
    await recordAcceptances(pricing.db, [recent]);
    await advanceMark(pricing.db, recentId);
    expect(await forgetAcceptances(pricing.db)).toBe(1);
    const { rows } = await sql<{ ids: string[] }>`
      select message_ids as ids from accepted_log`.execute(pricing.db);
    expect(rows.map((row) => row.ids)).toEqual([[recent]]);
  });
});
