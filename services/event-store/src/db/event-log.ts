import type { MessageEvent } from "@smsgw/contracts";
import type postgres from "postgres";

/**
 * Appends a batch to the log in one statement, in the batch's order. An event already
 * stored (a redelivery) adds nothing: only the ids of the events new to the log come back.
 */
export async function appendEvents(
  tx: postgres.TransactionSql,
  events: readonly MessageEvent[],
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = await tx<Array<{ event_id: string }>>`
    insert into event_store.events
      (event_id, message_id, account_id, type, version, occurred_at, data, trace)
    select e->>'eventId', e->>'messageId', e->>'accountId', e->>'type',
      (e->>'version')::integer, (e->>'occurredAt')::timestamptz, e->'data', e->'trace'
    from jsonb_array_elements(${JSON.stringify(events)}::text::jsonb) with ordinality as b(e, n)
    order by n
    on conflict (event_id) do nothing
    returning event_id`;
  return new Set(rows.map((row) => row.event_id));
}
