import { type Kysely, sql, type Transaction } from "kysely";
import {
  type AccountState,
  type BatchDecision,
  type Charge,
  type ChargeRequest,
  decideBatch,
} from "../domain/authorize.ts";
import type { PriceBook } from "../domain/price-book.ts";
import { type PricingDatabase, toUnits } from "./schema.ts";

/** Who the ledger names as the author of a charge. */
const CHARGE_ACTOR = "pricing";
const MAX_ATTEMPTS = 3;

/** Another writer charged one of the batch's message ids after we looked: decide again. */
class ChargeConflict extends Error {
  override name = "ChargeConflict";
}

/**
 * Decides and records a batch of authorize requests in ONE transaction (group commit):
 * lock the batch's accounts (in id order, so concurrent batches cannot deadlock), read
 * the charges that already exist for its message ids, decide in memory, insert the new
 * charges in one statement, set the new balances in one statement and mark the new
 * charges pending acceptance in one statement.
 *
 * Locking before reading the charges matters: a replica charging the same account
 * has committed by the time we hold the lock, so its charges are seen. The unique index
 * on charged message ids is the last guard; if it ever refuses a row, the whole batch is
 * decided again.
 */
export async function chargeBatch(
  db: Kysely<PricingDatabase>,
  requests: readonly ChargeRequest[],
  prices: PriceBook,
): Promise<BatchDecision> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute((tx) => decideAndRecord(tx, requests, prices));
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
    }
  }
}

async function decideAndRecord(
  tx: Transaction<PricingDatabase>,
  requests: readonly ChargeRequest[],
  prices: PriceBook,
): Promise<BatchDecision> {
  const accountIds = [...new Set(requests.map((r) => r.accountId))].sort();
  const messageIds = [...new Set(requests.map((r) => r.messageId))];

  // Every statement here has one shape whatever the batch's size (arrays, not `in (…)` lists
  // or multi-row VALUES): postgres.js prepares each distinct text once per connection, and a
  // shape per size meant a parse and a plan for most batches. Numbers travel as text (the
  // casts make them bigint): a balance may pass 2^31.
  const accountRows = await tx
    .selectFrom("accounts")
    .select(["account_id", "status", "currency", "balance", "blocked_countries"])
    .where(sql<boolean>`account_id = any(${accountIds}::text[])`)
    .orderBy("account_id")
    .forUpdate()
    .execute();
  const chargeRows = await tx
    .selectFrom("ledger")
    .innerJoin("accounts", "accounts.account_id", "ledger.account_id")
    .select([
      "ledger.message_id",
      "ledger.account_id",
      "ledger.amount",
      "ledger.parts",
      "ledger.price_per_part",
      "accounts.currency",
      sql<boolean>`exists (select 1 from ledger r
        where r.kind = 'refund' and r.message_id = ledger.message_id)`.as("refunded"),
    ])
    .where("ledger.kind", "=", "charge")
    .where(sql<boolean>`ledger.message_id = any(${messageIds}::text[])`)
    .execute();

  const accounts = new Map<string, AccountState>(
    accountRows.map((row) => [
      row.account_id,
      {
        accountId: row.account_id,
        status: row.status,
        currency: row.currency,
        blockedCountries: row.blocked_countries,
        balance: toUnits(row.balance),
      },
    ]),
  );
  const existingCharges = new Map<string, Charge>();
  for (const row of chargeRows) {
    if (row.message_id === null || row.parts === null || row.price_per_part === null) continue;
    existingCharges.set(row.message_id, {
      messageId: row.message_id,
      accountId: row.account_id,
      amount: -toUnits(row.amount),
      parts: row.parts,
      pricePerPart: toUnits(row.price_per_part),
      currency: row.currency,
      refunded: row.refunded,
    });
  }

  const decision = decideBatch({ requests, accounts, existingCharges, prices });

  if (decision.newCharges.length > 0) {
    const charges = decision.newCharges;
    const inserted = await sql<{ id: string }>`
      insert into ledger (account_id, kind, amount, message_id, parts, price_per_part, actor, note)
      select x.account_id, 'charge', x.amount, x.message_id, x.parts, x.price_per_part,
        ${CHARGE_ACTOR}, ''
      from unnest(${charges.map((c) => c.accountId)}::text[],
                  ${charges.map((c) => String(-c.amount))}::bigint[],
                  ${charges.map((c) => c.messageId)}::text[],
                  ${charges.map((c) => String(c.parts))}::integer[],
                  ${charges.map((c) => String(c.pricePerPart))}::bigint[])
        as x (account_id, amount, message_id, parts, price_per_part)
      on conflict (message_id) where kind = 'charge' do nothing
      returning id`.execute(tx);
    if (inserted.rows.length !== charges.length) throw new ChargeConflict();
  }

  if (decision.balances.size > 0) {
    const balances = [...decision.balances];
    await sql`
      update accounts as a set balance = v.balance
      from unnest(${balances.map(([accountId]) => accountId)}::text[],
                  ${balances.map(([, balance]) => String(balance))}::bigint[]) as v (account_id, balance)
      where a.account_id = v.account_id`.execute(tx);
  }
  await recordPending(tx, decision);
  return decision;
}

/**
 * New charges wait for their MessageAccepted in `pending_charges`: the sweep refunds
 * those that never see it (ingress charged, then died before publishing). No event is
 * written: the charge rides on MessageAccepted (`cost`, `pricePerPart`, ADR 0009), so a
 * charge costs no outbox row, publish or event-store write of its own.
 */
async function recordPending(
  tx: Transaction<PricingDatabase>,
  decision: BatchDecision,
): Promise<void> {
  if (decision.newCharges.length === 0) return;
  await sql`
    insert into pending_charges (message_id, account_id)
    select * from unnest(${decision.newCharges.map((c) => c.messageId)}::text[],
                         ${decision.newCharges.map((c) => c.accountId)}::text[])
    on conflict do nothing`.execute(tx);
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ChargeConflict) return true;
  // serialization_failure, deadlock_detected: the transaction can simply run again.
  const code = (error as { code?: unknown } | null)?.code;
  return code === "40001" || code === "40P01";
}
