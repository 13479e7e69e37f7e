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
 * A message and its trail over the event store's tables (`event_store.messages`, `.events`),
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
      const rows = await sql<
        Array<{
          seq: string | null;
          event_id: string | null;
          type: string | null;
          occurred_at: Date | null;
          data: unknown;
        }>
      >`
        select e.seq, e.event_id, e.type, e.occurred_at, e.data
        from event_store.messages m
        left join lateral (
          select seq, event_id, type, occurred_at, data from event_store.events
          where message_id = m.message_id
            and (occurred_at, seq) > (${after.occurredAt}::text::timestamptz, ${after.seq}::text::bigint)
          order by occurred_at, seq
          limit ${limit + 1}
        ) e on true
        where m.message_id = ${messageId} and m.account_id = ${accountId}
          and m.accepted
        order by e.occurred_at, e.seq`;
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
          ? formatCursor(last.occurred_at, last.seq)
          : null;
      return { events, nextCursor };
    },
  };
}

interface Cursor {
  occurredAt: string;
  seq: string;
}

/** Opaque to clients: base64url of "<occurredAt ISO>|<seq>", the last event handed out. */
function formatCursor(occurredAt: Date, seq: string): string {
  return Buffer.from(`${occurredAt.toISOString()}|${seq}`).toString("base64url");
}

function parseCursor(cursor: string | undefined): Cursor {
  if (cursor === undefined || cursor === "") return { occurredAt: "-infinity", seq: "0" };
  const decoded = /^[A-Za-z0-9_-]{1,120}$/.test(cursor)
    ? Buffer.from(cursor, "base64url").toString("utf8")
    : "";
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|(\d{1,18})$/.exec(decoded);
  if (!match?.[1] || !match[2])
    throw new InvalidCursorError(`invalid cursor "${cursor.slice(0, 40)}"`);
  return { occurredAt: match[1], seq: match[2] };
}
