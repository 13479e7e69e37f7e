import { type Kysely, sql } from "kysely";
import type { PricingDatabase } from "./schema.ts";

/**
 * The settlement of charges without a row per charge (ADR 0024): the sweep walks the ledger
 * past a mark (`settlement_mark`), asks the event store's record which of those charges'
 * messages were accepted, refunds the others and moves the mark. Per SMS that is the ledger
 * row alone; pricing reads no acceptance.
 */

export interface DueCharges {
  /** The last ledger id looked at (the mark moves there once they are settled); null: none. */
  lastId: string | null;
  /** Of those, the messages whose charge no refund settled yet. */
  messageIds: string[];
}

/**
 * The charges past the mark that are older than `ageMs`, in ledger order, up to `limit` and
 * never past the first one still younger (the unbroken prefix of old charges), and of them the
 * messages not refunded yet: one statement per call.
 *
 * Why the prefix: a charge's id is drawn when its row is inserted, its `created_at` a moment
 * before (db/charges.ts), and concurrent batches commit in any order, so ids and times do not
 * rise together. Taking every old charge and moving the mark to the highest would pass a
 * lower id that is still young (it waited on a lock, or committed later) and leave it
 * unsettled for good; stopping before it, the mark waits until it is old too.
 */
export async function dueCharges(
  db: Kysely<PricingDatabase>,
  ageMs: number,
  limit: number,
): Promise<DueCharges> {
  const { rows } = await sql<{ last_id: string | null; open: string[] }>`
    with next as (
      select l.id, l.message_id,
        l.created_at < now() - make_interval(secs => ${ageMs / 1000}) as old
      from ledger l, settlement_mark mark
      where l.id > mark.ledger_id and l.kind = 'charge'
      order by l.id
      limit ${limit}
    ), due as (
      select n.id, n.message_id from next n
      where n.id < coalesce((select min(y.id) from next y where not y.old), n.id + 1)
    )
    select
      (select max(id)::text from due) as last_id,
      coalesce(array_agg(d.message_id order by d.id) filter (
        where not exists (select 1 from ledger r
          where r.kind = 'refund' and r.message_id = d.message_id)), '{}') as open
    from due d`.execute(db);
  const [row] = rows;
  return { lastId: row?.last_id ?? null, messageIds: row?.open ?? [] };
}

/** Charges up to `ledgerId` are settled: the mark moves there (never back: replicas race). */
export async function advanceMark(db: Kysely<PricingDatabase>, ledgerId: string): Promise<void> {
  await sql`
    update settlement_mark set ledger_id = greatest(ledger_id, ${ledgerId}::bigint)`.execute(db);
}
