import type { StoredEnvelope } from "@smsgw/service-kit";
import type postgres from "postgres";

/**
 * The stream copies of erased content (ADR 0021): where the event store's status-change
 * envelopes went, and the queue of copies the stream eraser deletes.
 */

/**
 * After a batch's status changes were stored and before its ack: where each envelope went and
 * whose changes it holds (each carries the number). One statement per batch; a redelivery
 * publishes the same envelopes again (the de-duplication answers their first sequence) and
 * finds them recorded.
 */
export async function recordStatusPublishes(
  sql: postgres.Sql,
  stored: readonly StoredEnvelope[],
): Promise<void> {
  if (stored.length === 0) return;
  const rows = stored.map(({ seq, messageIds }) => ({ seq, message_ids: messageIds }));
  await sql`
    insert into event_store.status_publishes (seq, message_ids)
    select x.seq, x.message_ids
    from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as x(seq bigint, message_ids text[])
    on conflict (seq) do nothing`;
}

/**
 * In an erasure's transaction: queues the copies named (`contentCopiesOf`) and the status
 * envelopes that held these messages' changes, those at or above `floor` (the stream's first
 * sequence: below it the stream has dropped them already).
 */
export async function queueStreamCopies(
  tx: postgres.TransactionSql,
  copies: readonly number[],
  messageIds: readonly string[],
  floor: number,
): Promise<void> {
  await tx`
    insert into event_store.stream_erasures (seq)
    select s from unnest(${copies as number[]}::bigint[]) s where s >= ${floor}
    union
    select p.seq from event_store.status_publishes p
    where p.message_ids && ${messageIds as string[]}::text[] and p.seq >= ${floor}
    on conflict (seq) do nothing`;
}

/** The oldest queued copies, up to `limit`. */
export async function queuedStreamCopies(sql: postgres.Sql, limit: number): Promise<number[]> {
  const rows = await sql<Array<{ seq: string }>>`
    select seq from event_store.stream_erasures order by seq limit ${limit}`;
  return rows.map((row) => Number(row.seq));
}

/** Copies deleted, or gone from the stream: off the queue. */
export async function dropQueuedCopies(sql: postgres.Sql, seqs: readonly number[]): Promise<void> {
  if (seqs.length === 0) return;
  await sql`delete from event_store.stream_erasures where seq = any(${seqs as number[]}::bigint[])`;
}

/** What the stream no longer holds needs no record: status envelopes and queued copies below its first sequence. */
export async function forgetBelow(sql: postgres.Sql, firstSeq: number): Promise<void> {
  await sql`delete from event_store.status_publishes where seq < ${firstSeq}`;
  await sql`delete from event_store.stream_erasures where seq < ${firstSeq}`;
}
