import { type Kysely, sql, type Transaction } from "kysely";
import type { PricingDatabase } from "./schema.ts";

/**
 * The settlement of charges without a row per charge (migration 0007, ADR 0009 amended):
 * the acceptances read are logged a consumer batch to a row (`accepted_log`), and the sweep
 * walks the ledger past a mark (`settlement_mark`), refunding the charges no acceptance names.
 * Per SMS that is the ledger row alone, where a pending row was inserted and deleted before.
 */

/**
 * Acceptances and "never accepted" refunds of the same message exclude each other: an
 * acceptance logged before a refund looks wins, and one logged after sees the refund done.
 */
const ACCEPTANCE_LOCK = sql`hashtext('pricing:acceptance-log')`;
/** Acceptances seen this long before the mark's charge are no longer needed (margin for clock and commit skew). */
const LOG_KEEP_BEFORE_MARK = "10 minutes";

/** MessageAccepted read: one row for the batch's message ids. */
export async function recordAcceptances(
  db: Kysely<PricingDatabase>,
  messageIds: readonly string[],
): Promise<void> {
  if (messageIds.length === 0) return;
  // One statement, so one round trip: the shared lock is held until it commits.
  await sql`
    with locked as (select pg_advisory_xact_lock_shared(${ACCEPTANCE_LOCK}))
    insert into accepted_log (message_ids)
    select ${[...messageIds]}::text[] from locked`.execute(db);
}

/** Where the acceptance log starts: its durable's first message (set by migration 0007). */
export async function acceptanceLogStart(db: Kysely<PricingDatabase>): Promise<Date> {
  const row = await db.selectFrom("settlement_mark").select("log_from").executeTakeFirstOrThrow();
  return new Date(row.log_from);
}

export interface UnacceptedCharges {
  /** The last ledger id looked at (the mark moves there once they are settled); null: none. */
  lastId: string | null;
  /** Of those, the charges no acceptance names and no refund settled. */
  messageIds: string[];
}

/**
 * The next `limit` charges past the mark that are older than `ageMs`, in ledger order, and
 * which of them were never accepted. The acceptances are looked up from a minute before the
 * oldest of them (an acceptance is always read after its charge): one hash join per call.
 */
export async function unacceptedCharges(
  db: Kysely<PricingDatabase>,
  ageMs: number,
  limit: number,
): Promise<UnacceptedCharges> {
  const { rows } = await sql<{ last_id: string | null; unaccepted: string[] }>`
    with mark as (select ledger_id from settlement_mark),
    due as (
      select l.id, l.message_id, l.created_at from ledger l, mark
      where l.id > mark.ledger_id and l.kind = 'charge'
        and l.created_at < now() - make_interval(secs => ${ageMs / 1000})
      order by l.id
      limit ${limit}
    ),
    accepted as (
      select distinct unnest(a.message_ids) as message_id from accepted_log a
      where a.seen_at >= (select min(created_at) from due) - interval '1 minute'
    )
    select
      (select max(id)::text from due) as last_id,
      coalesce(array_agg(d.message_id order by d.id) filter (
        where acc.message_id is null
          and not exists (select 1 from ledger r
            where r.kind = 'refund' and r.message_id = d.message_id)), '{}') as unaccepted
    from due d left join accepted acc on acc.message_id = d.message_id`.execute(db);
  const [row] = rows;
  return { lastId: row?.last_id ?? null, messageIds: row?.unaccepted ?? [] };
}

/** Charges up to `ledgerId` are settled: the mark moves there (never back: replicas race). */
export async function advanceMark(db: Kysely<PricingDatabase>, ledgerId: string): Promise<void> {
  await sql`
    update settlement_mark set ledger_id = greatest(ledger_id, ${ledgerId}::bigint)`.execute(db);
}

/** Deletes the acceptances no charge past the mark can need; returns how many rows. */
export async function forgetAcceptances(db: Kysely<PricingDatabase>): Promise<number> {
  const result = await sql`
    delete from accepted_log
    where seen_at < (
      select l.created_at from ledger l, settlement_mark m where l.id = m.ledger_id
    ) - ${LOG_KEEP_BEFORE_MARK}::interval`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Inside a refund's transaction: of these messages, those an acceptance names. Takes the
 * lock acceptances share, so none is logged between this look and the refund's commit.
 */
export async function acceptedAmong(
  tx: Transaction<PricingDatabase>,
  messageIds: readonly string[],
): Promise<Set<string>> {
  await sql`select pg_advisory_xact_lock(${ACCEPTANCE_LOCK})`.execute(tx);
  const { rows } = await sql<{ message_id: string }>`
    select distinct m as message_id
    from accepted_log a, unnest(a.message_ids) m
    where a.message_ids && ${[...messageIds]}::text[] and m = any(${[...messageIds]}::text[])`.execute(
    tx,
  );
  return new Set(rows.map((row) => row.message_id));
}
