import type postgres from "postgres";

/** One event of a message's trail exactly as stored: the operator's full record. */
export interface StoredEvent {
  eventId: string;
  type: string;
  accountId: string;
  occurredAt: string;
  data: unknown;
}

/**
 * Every event of one message, oldest first, as published (carriers, their ids, routing's
 * reasons, raw error codes included), whatever account it belongs to: for operators only
 * (`bin/gw messages trail`); customers read the public view through the read model.
 * Webhook attempts are kept a batch to a row: each is taken out of its row, once.
 */
export async function readStoredTrail(
  sql: postgres.Sql,
  messageId: string,
): Promise<StoredEvent[]> {
  const rows = await sql<
    Array<{ event_id: string; type: string; account_id: string; occurred_at: Date; data: unknown }>
  >`
    select event_id, type, account_id, occurred_at, data from (
      select distinct on (event_id) event_id, type, account_id, occurred_at, data, seq, ord
      from (
        select event_id, type, account_id, occurred_at, data, seq, 0::bigint as ord
        from event_store.events
        where message_id = ${messageId}
        union all
        select a.e->>'eventId', a.e->>'type', a.e->>'accountId',
          (a.e->>'occurredAt')::timestamptz, a.e->'data', w.seq, a.ord
        from event_store.webhook_attempts w,
          jsonb_array_elements(w.events) with ordinality as a(e, ord)
        where w.message_ids @> array[${messageId}::text] and a.e->>'messageId' = ${messageId}
      ) stored
      order by event_id, seq, ord
    ) trail
    order by occurred_at, seq, ord`;
  return rows.map((row) => ({
    eventId: row.event_id,
    type: row.type,
    accountId: row.account_id,
    occurredAt: row.occurred_at.toISOString(),
    data: row.data,
  }));
}
