import { createHash } from "node:crypto";
import type { StoredEnvelope } from "@smsgw/service-kit";
import type postgres from "postgres";
import type { RawEvent } from "../domain/raw-event.ts";
import type { MessageRow } from "./projection.ts";
import { statusPublishRows } from "./stream-erasure.ts";

/**
 * The batch's first statement (ADR 0009): appends the events to the log in the batch's
 * order, each as it was published with the stream sequence of its delivery, and reads the current projections of the given
 * messages, in one round trip. It also records where the status envelopes of the batches
 * before went (`published`, ADR 0021), so that costs no statement of its own. Webhook attempts (two or more per message, folded into
 * nothing) go to one row of `webhook_attempts` for the whole batch, its id a digest of theirs.
 * An event already stored (a redelivery, or a copy in the same batch) adds nothing: `fresh`
 * holds only the ids new to the log.
 */
export async function appendAndReadProjections(
  tx: postgres.TransactionSql,
  delivered: ReadonlyArray<{ raw: RawEvent; seq?: number | undefined }>,
  messageIds: readonly string[],
  published: readonly StoredEnvelope[] = [],
): Promise<{ fresh: Set<string>; rows: MessageRow[] }> {
  if (delivered.length === 0 && published.length === 0) return { fresh: new Set(), rows: [] };
  const logged = delivered.filter(({ raw }) => raw.type !== BATCHED_TYPE);
  const attempts = uniqueById(
    delivered.filter(({ raw }) => raw.type === BATCHED_TYPE).map(({ raw }) => raw),
  );
  const rows = await tx<Array<MessageRow & { fresh: string[] | null }>>`
    with appended as (
      insert into event_store.events
        (event_id, message_id, account_id, type, version, occurred_at, data, trace, extra,
          stream_seq)
      select e->>'eventId', e->>'messageId', e->>'accountId', e->>'type',
        (e->>'version')::integer, (e->>'occurredAt')::timestamptz, e->'data', e->'trace',
        e->'extra', (e->>'streamSeq')::bigint
      from jsonb_array_elements(${JSON.stringify(logged.map(({ raw, seq }) => logRecord(raw, seq)))}::text::jsonb)
        with ordinality as b(e, n)
      order by n
      on conflict (event_id) do nothing
      returning event_id
    ), attempted as (
      insert into event_store.webhook_attempts (batch_id, message_ids, events)
      select ${attemptBatchId(attempts)}, ${[...new Set(attempts.map((a) => a.messageId))]}::text[],
        ${JSON.stringify(attempts)}::text::jsonb
      where ${attempts.length > 0}
      on conflict (batch_id) do nothing
      returning events
    ), published as (
      insert into event_store.status_publishes (seq, message_ids)
      select x.seq, x.message_ids
      from jsonb_to_recordset(${statusPublishRows(published)}::text::jsonb)
        as x(seq bigint, message_ids text[])
      where ${published.length > 0}
      on conflict (seq) do nothing
    ), fresh as (
      select coalesce(array_agg(event_id), '{}') as ids from (
        select event_id from appended
        union all
        select a->>'eventId' from attempted, jsonb_array_elements(attempted.events) a
      ) ids
    )
    select case when row_number() over () = 1 then fresh.ids end as fresh, m.*
    from fresh
    left join event_store.messages m on m.message_id = any(${messageIds as string[]}::text[])`;
  const fresh = new Set(rows[0]?.fresh ?? []);
  return { fresh, rows: rows.filter((row) => row.message_id !== null) };
}

/** The event type logged a batch to a row (`webhook_attempts`). */
const BATCHED_TYPE = "WebhookAttempted";

/** The same attempts make the same row, whichever delivery brings them. */
function attemptBatchId(attempts: readonly RawEvent[]): string {
  const ids = attempts.map((a) => a.eventId).sort();
  return `wa_${createHash("sha256").update(ids.join("\n")).digest("base64url")}`;
}

function uniqueById(events: readonly RawEvent[]): RawEvent[] {
  const byId = new Map<string, RawEvent>();
  for (const event of events) if (!byId.has(event.eventId)) byId.set(event.eventId, event);
  return [...byId.values()];
}

const ENVELOPE_KEYS = new Set([
  "eventId",
  "messageId",
  "accountId",
  "type",
  "version",
  "occurredAt",
  "data",
  "trace",
]);

/**
 * The event as its row stores it: envelope fields in columns, any other field in `extra`,
 * and where the stream message that brought it sits (ADR 0021: erasure deletes that copy).
 */
function logRecord(event: RawEvent, seq: number | undefined) {
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (!ENVELOPE_KEYS.has(key)) extra[key] = value;
  }
  return { ...event, extra: Object.keys(extra).length > 0 ? extra : null, streamSeq: seq ?? null };
}
