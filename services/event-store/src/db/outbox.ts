/** The outbox of status changes before ADR 0009, read once at start-up and emptied. */
import type { MessageStatusChanged } from "@smsgw/contracts";
import { type Kysely, sql } from "kysely";
import type { EventStoreDb } from "./schema.ts";

export interface OutboxEntry {
  id: string;
  change: MessageStatusChanged;
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
