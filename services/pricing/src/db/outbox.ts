import type { AccountBalanceLow, MessageEvent } from "@smsgw/contracts";
import { type Kysely, sql } from "kysely";
import type { PricingDatabase } from "./schema.ts";

/**
 * The transactional outbox: an event is written in the same transaction as the ledger
 * entry it reports, published right after the commit, and deleted once JetStream has it.
 * If the process dies in between, the sweep relays what is left (`takeStale`), so no
 * charge or refund goes without its event. A relayed event may reach the stream twice if
 * its first publish was stored after all; its deterministic id lets every consumer (and
 * JetStream's de-duplication window) treat the second as the same event.
 */
/** What the outbox holds: message events (refunds) and balance warnings (ADR 0020). */
export type OutboxEvent = MessageEvent | AccountBalanceLow;

export async function writeOutbox(
  db: Kysely<PricingDatabase>,
  events: readonly MessageEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto("outbox")
    .values(events.map((event) => ({ event_id: event.eventId, event: jsonb(event) })))
    .onConflict((oc) => oc.column("event_id").doNothing())
    .execute();
}

/** An event as a jsonb value: sent as text and cast (a jsonb parameter would be encoded twice). */
function jsonb(event: MessageEvent) {
  return sql<unknown>`${JSON.stringify(event)}::text::jsonb`;
}

export async function deleteFromOutbox(
  db: Kysely<PricingDatabase>,
  eventIds: readonly string[],
): Promise<void> {
  if (eventIds.length === 0) return;
  await sql`delete from outbox where event_id = any(${[...eventIds]}::text[])`.execute(db);
}

/** Events older than `olderThanMs` still in the outbox: their first publish did not happen. */
export async function takeStale(
  db: Kysely<PricingDatabase>,
  olderThanMs: number,
  limit: number,
): Promise<OutboxEvent[]> {
  const rows = await db
    .selectFrom("outbox")
    .select("event")
    .where("created_at", "<", sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000})`)
    .orderBy("created_at")
    .limit(limit)
    .execute();
  return rows.map(
    (row) => (typeof row.event === "string" ? JSON.parse(row.event) : row.event) as OutboxEvent,
  );
}
