import { isFinalStatus, type MessageStatus, maskPhoneNumber } from "@smsgw/contracts";
import { type EraseNoticeOutbox, eraseNoticeTable } from "@smsgw/service-kit";
import type postgres from "postgres";
import { erasedEventData } from "../domain/erasure.ts";
import { contentCopiesOf } from "../domain/stream-erasure.ts";
import { SCHEMA } from "./schema.ts";
import { queueStreamCopies } from "./stream-erasure.ts";

/** What the redact request needs to know of a message before erasing it. */
export interface ErasureTarget {
  status: MessageStatus;
  redacted: boolean;
}

/** The account's accepted message, or undefined (none, or another account's). */
export async function findErasureTarget(
  sql: postgres.Sql,
  accountId: string,
  messageId: string,
): Promise<ErasureTarget | undefined> {
  const [row] = await sql<Array<{ status: MessageStatus; redacted_at: Date | null }>>`
    select status, redacted_at from event_store.messages
    where message_id = ${messageId} and account_id = ${accountId} and accepted`;
  return row ? { status: row.status, redacted: row.redacted_at !== null } : undefined;
}

/**
 * Erases the text and recipient number of these messages from the event store's tables, in
 * one transaction (ADR 0021): each event's data as `erasedEventData` makes it, the
 * projection's number masked and `redacted_at` set. The revision moves, so a fold that read
 * the row before loses its optimistic check and folds again from the erased row. Messages
 * already erased are left as they are. Returns the ids erased now.
 *
 * The stream's copies of their content (the messages that brought those events, the submit
 * orders, the status envelopes) are queued for the stream eraser in the same transaction,
 * those at or above `streamFloor` (the stream's first sequence, when known). The ids erased
 * are noted in `erase_notices` too, until `eraseNotices(sql).send` has their notice stored.
 */
export async function eraseMessages(
  sql: postgres.Sql,
  messageIds: readonly string[],
  now: Date,
  streamFloor = 0,
): Promise<string[]> {
  if (messageIds.length === 0) return [];
  const ids = [...messageIds];
  return sql.begin(async (tx) => {
    const targets = await tx<Array<{ message_id: string; to_number: string | null }>>`
      select message_id, to_number from event_store.messages
      where message_id = any(${ids}::text[]) and redacted_at is null
      for update`;
    if (targets.length === 0) return [];
    const erasing = targets.map((t) => t.message_id);
    const events = await tx<Array<{ event_id: string; data: unknown; stream_seq: string | null }>>`
      select event_id, data, stream_seq from event_store.events
      where message_id = any(${erasing}::text[])`;
    const erased = events.map((e) => {
      const data = erasedEventData(e.data);
      const changed = JSON.stringify(data) !== JSON.stringify(e.data);
      return { event_id: e.event_id, data, changed, before: e.data, stream_seq: e.stream_seq };
    });
    const changed = erased
      .filter((e) => e.changed)
      .map(({ event_id, data }) => ({ event_id, data }));
    const copies = contentCopiesOf(
      erased.map((e) => ({
        streamSeq: e.stream_seq === null ? null : Number(e.stream_seq),
        changed: e.changed,
        data: e.before,
      })),
    );
    await queueStreamCopies(tx, copies, erasing, streamFloor);
    if (changed.length > 0) {
      await tx`
        update event_store.events e set data = x.data
        from jsonb_to_recordset(${JSON.stringify(changed)}::text::jsonb) as x(event_id text, data jsonb)
        where e.event_id = x.event_id`;
    }
    const masked = targets.map((t) => ({
      message_id: t.message_id,
      to_number: t.to_number === null ? null : maskPhoneNumber(t.to_number),
    }));
    await tx`
      update event_store.messages m
      set to_number = x.to_number, redacted_at = ${now}, revision = m.revision + 1
      from jsonb_to_recordset(${JSON.stringify(masked)}::text::jsonb) as x(message_id text, to_number text)
      where m.message_id = x.message_id`;
    await eraseNotices(sql).note(tx, erasing);
    return erasing;
  });
}

/**
 * The erased messages whose `MessagesErased` is not stored yet (`event_store.erase_notices`):
 * a notice that fails stays there for the retention job's next run or a redact asked again.
 */
export function eraseNotices(sql: postgres.Sql): EraseNoticeOutbox {
  return eraseNoticeTable(sql, SCHEMA);
}

/**
 * Erases, in the batch's transaction, the content of events logged after their message was
 * erased (`lateContentCandidates`): only those whose message has `redacted_at`, whose stream
 * copies (`copies`: the event's own and its order's) are queued for the stream eraser.
 */
export async function eraseLateContent(
  tx: postgres.TransactionSql,
  candidates: ReadonlyArray<{
    event_id: string;
    message_id: string;
    data: unknown;
    copies: readonly number[];
  }>,
): Promise<void> {
  if (candidates.length === 0) return;
  await tx`
    with erased as (
      update event_store.events e set data = x.data
      from jsonb_to_recordset(${JSON.stringify(candidates)}::text::jsonb)
        as x(event_id text, message_id text, data jsonb, copies bigint[])
      join event_store.messages m on m.message_id = x.message_id and m.redacted_at is not null
      where e.event_id = x.event_id
      returning x.copies
    )
    insert into event_store.stream_erasures (seq)
    select distinct unnest(copies) from erased
    on conflict (seq) do nothing`;
}

/**
 * Up to `limit` messages whose retention is over at `now`: final, their final status older
 * than their account's retention (`retention_overrides`, else `defaultDays`), not erased yet.
 * One statement: a skip scan over the accounts that have messages not erased
 * (`messages_to_erase`, one probe per account), then per account its oldest messages
 * accepted before the cutoff. A message can only be due once its acceptance is older than
 * the cutoff, so the rows read that are not due are those accepted before the cutoff and
 * final after it (or not final yet): cheap when nothing is due.
 */
export async function findMessagesPastRetention(
  sql: postgres.Sql,
  options: { now: Date; defaultDays: number; limit: number },
): Promise<string[]> {
  const { now, defaultDays, limit } = options;
  const rows = await sql<Array<{ message_id: string }>>`
    with recursive accounts(account_id) as (
      (select account_id from event_store.messages
        where accepted and redacted_at is null order by account_id limit 1)
      union all
      select (select m.account_id from event_store.messages m
          where m.accepted and m.redacted_at is null and m.account_id > a.account_id
          order by m.account_id limit 1)
      from accounts a where a.account_id is not null
    ),
    cutoffs as (
      select a.account_id,
        ${now}::timestamptz - make_interval(days => coalesce(o.days, ${defaultDays})) as cutoff
      from accounts a left join event_store.retention_overrides o using (account_id)
      where a.account_id is not null
    )
    select due.message_id from cutoffs c
    cross join lateral (
      select m.message_id from event_store.messages m
      where m.account_id = c.account_id and m.accepted and m.redacted_at is null
        and m.created_at <= c.cutoff
        and least(m.delivered_at, m.undelivered_at, m.expired_at, m.failed_at) <= c.cutoff
      order by m.created_at
      limit ${limit}
    ) due
    limit ${limit}`;
  return rows.map((r) => r.message_id);
}

/** The operator's per-account retention: days, or null to fall back to the default. */
export async function setRetentionOverride(
  sql: postgres.Sql,
  accountId: string,
  days: number | null,
): Promise<void> {
  if (days === null) {
    await sql`delete from event_store.retention_overrides where account_id = ${accountId}`;
    return;
  }
  await sql`
    insert into event_store.retention_overrides (account_id, days) values (${accountId}, ${days})
    on conflict (account_id) do update set days = excluded.days, updated_at = now()`;
}

/** The per-account retentions the operator set. */
export async function listRetentionOverrides(
  sql: postgres.Sql,
): Promise<Array<{ accountId: string; days: number }>> {
  const rows = await sql<Array<{ account_id: string; days: number }>>`
    select account_id, days from event_store.retention_overrides order by account_id`;
  return rows.map((r) => ({ accountId: r.account_id, days: r.days }));
}

/**
 * Every account's accepted messages to `number` whose text and number are still kept, split
 * into those final (to erase now) and those in flight (a failover may still send the text).
 * The projection has no index by number alone (it is read per account): a scan, for an
 * operator's rare request.
 */
export async function findMessagesTo(
  sql: postgres.Sql,
  number: string,
): Promise<{ final: string[]; inFlight: string[] }> {
  const rows = await sql<Array<{ message_id: string; status: MessageStatus }>>`
    select message_id, status from event_store.messages
    where to_number = ${number} and accepted and redacted_at is null
    order by created_at`;
  return {
    final: rows.filter((r) => isFinalStatus(r.status)).map((r) => r.message_id),
    inFlight: rows.filter((r) => !isFinalStatus(r.status)).map((r) => r.message_id),
  };
}
