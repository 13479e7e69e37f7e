import { type MessageStatusChanged, statusChangeId } from "@smsgw/contracts";
import { type Kysely, sql } from "kysely";
import type postgres from "postgres";
import type { EventStoreDb } from "./schema.ts";

export interface OutboxEntry {
  id: string;
  change: MessageStatusChanged;
}

/** Stores the batch's status changes in the fold's transaction, so none is lost. */
export async function addToOutbox(
  tx: postgres.TransactionSql,
  changes: readonly MessageStatusChanged[],
): Promise<OutboxEntry[]> {
  if (changes.length === 0) return [];
  const entries = changes.map((change) => ({
    id: statusChangeId(change.messageId, change.sequence),
    change,
  }));
  await tx`
    insert into event_store.outbox (id, message_id, payload)
    select x->>'id', x->'change'->>'messageId', x->'change'
    from jsonb_array_elements(${JSON.stringify(entries)}::text::jsonb) as b(x)
    on conflict (id) do nothing`;
  return entries;
}

/** Entries older than `minAgeMs`, oldest first: those nobody is publishing any more. */
export async function leftoverEntries(
  db: Kysely<EventStoreDb>,
  minAgeMs: number,
  limit: number,
): Promise<OutboxEntry[]> {
  const rows = await db
    .selectFrom("outbox")
    .select(["id", "payload"])
    .where(sql<boolean>`created_at <= now() - make_interval(secs => ${minAgeMs / 1000})`)
    .orderBy("created_at")
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, change: row.payload as MessageStatusChanged }));
}

export async function removeFromOutbox(
  db: Kysely<EventStoreDb>,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom("outbox").where("id", "in", ids).execute();
}

/** Rows committed and not yet published (a metric: the relay's backlog). */
export async function countOutbox(db: Kysely<EventStoreDb>): Promise<number> {
  const row = await db
    .selectFrom("outbox")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
