import { isRealCursorTime } from "@smsgw/contracts";
import type postgres from "postgres";
import { InvalidCursorError } from "./errors.ts";
import type { MessageRow } from "./message-row.ts";
import { type MessageView, viewOfRow } from "./message-view.ts";

/** One entry of `GET /v1/messages/{id}/events`. */
export interface TrailEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  data: unknown;
}

export interface EventPage {
  events: TrailEvent[];
  /** Pass as `after` for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface MessageReader {
  /** Null when the message is unknown, not yet accepted, or another account's (answer 404). */
  getMessage(messageId: string, accountId: string): Promise<MessageView | null>;
  /**
   * Oldest first, `limit` clamped to 1..MAX_PAGE_SIZE; null when `getMessage` would be null.
   * Throws `InvalidCursorError` for an `after` this reader did not hand out.
   */
  listEvents(
    messageId: string,
    accountId: string,
    page: { after?: string; limit: number },
  ): Promise<EventPage | null>;
}

export const MAX_PAGE_SIZE = 1_000;

/**
 * A message and its trail over the event store's tables (`event_store.messages`, `.events`,
 * `.webhook_attempts`),
 * for ingress and the console, over the caller's own connection: the tables are named with
 * their schema, so the caller's search_path does not matter. Read-only.
 */
export function createMessageReader(sql: postgres.Sql): MessageReader {
  return {
    async getMessage(messageId, accountId) {
      const [row] = await sql<MessageRow[]>`
        select * from event_store.messages
        where message_id = ${messageId} and account_id = ${accountId} and accepted`;
      return row ? viewOfRow(row) : null;
    },

    async listEvents(messageId, accountId, page) {
      const after = parseCursor(page.after);
      // Oldest first by when each event occurred; insertion order only breaks ties (two
      // batches of the store may commit in either order).
      const limit = Number.isFinite(page.limit)
        ? Math.max(1, Math.min(MAX_PAGE_SIZE, Math.trunc(page.limit)))
        : MAX_PAGE_SIZE;
      // One round trip: the ownership check and the page (one row more says "there is more").
      // Webhook attempts are logged a batch to a row (`webhook_attempts`, found by the GIN
      // index over its messages): each is taken out of its row, ordered after the row's seq
      // by its place in it; an attempt stored twice (in two batches) is shown once.
      const rows = await sql<
        Array<{
          seq: string | null;
          ord: string | null;
          event_id: string | null;
          type: string | null;
          occurred_at: Date | null;
          data: unknown;
        }>
      >`
        select e.seq, e.ord, e.event_id, e.type, e.occurred_at, e.data
        from event_store.messages m
        left join lateral (
          select seq, ord, event_id, type, occurred_at, data from (
            select t.*, row_number() over (partition by event_id order by seq, ord) as copy
            from (
              select seq, 0::bigint as ord, event_id, type, occurred_at, data
              from event_store.events
              where message_id = m.message_id
              union all
              select w.seq, a.ord, a.e->>'eventId', a.e->>'type',
                (a.e->>'occurredAt')::timestamptz, a.e->'data'
              from event_store.webhook_attempts w,
                jsonb_array_elements(w.events) with ordinality as a(e, ord)
              where w.message_ids @> array[m.message_id] and a.e->>'messageId' = m.message_id
            ) t
          ) trail
          where copy = 1
            and (occurred_at, seq, ord) > (${after.occurredAt}::text::timestamptz,
              ${after.seq}::text::bigint, ${after.ord}::text::bigint)
          order by occurred_at, seq, ord
          limit ${limit + 1}
        ) e on true
        where m.message_id = ${messageId} and m.account_id = ${accountId}
          and m.accepted
        order by e.occurred_at, e.seq, e.ord`;
      if (rows.length === 0) return null;
      const found = rows.filter((r) => r.seq !== null);
      const events = found.slice(0, limit).map((r) => ({
        eventId: r.event_id ?? "",
        type: r.type ?? "",
        occurredAt: r.occurred_at?.toISOString() ?? "",
        data: r.data,
      }));
      const last = found[limit - 1];
      const nextCursor =
        found.length > limit && last?.seq && last.occurred_at
          ? formatCursor({
              occurredAt: last.occurred_at.toISOString(),
              seq: last.seq,
              ord: last.ord ?? "0",
            })
          : null;
      return { events, nextCursor };
    },
  };
}

interface Cursor {
  occurredAt: string;
  seq: string;
  /** The attempt's place in its batch row; 0 for an event of its own row. */
  ord: string;
}

/**
 * Opaque to clients: base64url of "<occurredAt ISO>|<seq>|<ord>", the last event handed
 * out. A cursor without the ord (handed out before attempts were batched) reads as ord 0.
 */
function formatCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.occurredAt}|${cursor.seq}|${cursor.ord}`).toString("base64url");
}

function parseCursor(cursor: string | undefined): Cursor {
  if (cursor === undefined || cursor === "") return { occurredAt: "-infinity", seq: "0", ord: "0" };
  const decoded = /^[A-Za-z0-9_-]{1,120}$/.test(cursor)
    ? Buffer.from(cursor, "base64url").toString("utf8")
    : "";
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|(\d{1,18})(?:\|(\d{1,9}))?$/.exec(
    decoded,
  );
  if (!match?.[1] || !match[2] || !isRealCursorTime(match[1]))
    throw new InvalidCursorError(`invalid cursor "${cursor.slice(0, 40)}"`);
  return { occurredAt: match[1], seq: match[2], ord: match[3] ?? "0" };
}
