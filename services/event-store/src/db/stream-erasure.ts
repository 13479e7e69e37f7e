import {
  type StoredEnvelope,
  type StreamErasureQueue,
  streamErasureTable,
} from "@smsgw/service-kit";
import type postgres from "postgres";
import { SCHEMA } from "./schema.ts";

/**
 * The stream copies of erased content (ADR 0021): where the event store's status-change
 * envelopes went, and the queue of copies the stream eraser deletes.
 */

/** The envelopes as the JSON the statements read (`jsonb_to_recordset`). */
export function statusPublishRows(stored: readonly StoredEnvelope[]): string {
  return JSON.stringify(stored.map(({ seq, messageIds }) => ({ seq, message_ids: messageIds })));
}

/**
 * In an erasure's transaction: queues the copies named (`contentCopiesOf`) and the status
 * envelopes that held these messages' changes, those at or above `floor` (the stream's first
 * sequence: below it the stream has dropped them already), and notes the messages in
 * `erased_recently` for the envelopes recorded after it (`queueLateEnvelopes`).
 */
export async function queueStreamCopies(
  tx: postgres.TransactionSql,
  copies: readonly number[],
  messageIds: readonly string[],
  floor: number,
): Promise<void> {
  await tx`
    with recently as (
      insert into event_store.erased_recently (message_id, until)
      select unnest(${messageIds as string[]}::text[]), now() + ${RECHECK_FOR}::interval
      -- Only while the stream still holds their copies: retention's old messages need none.
      where exists (select 1 from unnest(${copies as number[]}::bigint[]) s where s >= ${floor})
      on conflict (message_id) do update set until = excluded.until
    )
    insert into event_store.stream_erasures (seq)
    select s from unnest(${copies as number[]}::bigint[]) s where s >= ${floor}
    union
    select p.seq from event_store.status_publishes p
    where p.message_ids && ${messageIds as string[]}::text[] and p.seq >= ${floor}
    on conflict (seq) do nothing`;
}

/**
 * How long an erased message's status envelopes are looked for again: one published before
 * the erasure may be recorded after it (by the next batch, or the idle flush, of whichever
 * replica published it: a second at most, unless that replica stalls).
 */
const RECHECK_FOR = "2 minutes";

/**
 * Queues the status envelopes recorded since of messages erased lately (`erased_recently`,
 * GIN lookup) and forgets the erasures past their time. One statement; nothing to read when
 * nothing was erased lately.
 */
export async function queueLateEnvelopes(sql: postgres.Sql): Promise<void> {
  await sql`
    with recent as (
      select coalesce(array_agg(message_id), '{}') as ids from event_store.erased_recently
    ), queued as (
      insert into event_store.stream_erasures (seq)
      select p.seq from event_store.status_publishes p, recent
      where cardinality(recent.ids) > 0 and p.message_ids && recent.ids
      on conflict (seq) do nothing
    )
    delete from event_store.erased_recently where until < now()`;
}

/**
 * The stream eraser's queue (`stream_erasures`, the service kit's eraser runs it): the late
 * status envelopes are queued before each run, and those below the stream's first sequence
 * are forgotten with the queued copies (the stream no longer holds them).
 */
export function eventStoreErasureQueue(sql: postgres.Sql): StreamErasureQueue {
  const table = streamErasureTable(sql, SCHEMA);
  return {
    ...table,
    beforeRun: () => queueLateEnvelopes(sql),
    async forgetBelow(firstSeq) {
      await sql`delete from event_store.status_publishes where seq < ${firstSeq}`;
      await table.forgetBelow(firstSeq);
    },
  };
}
