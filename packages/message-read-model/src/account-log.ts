import { isRealCursorTime, MESSAGE_STATUSES, type MessageStatus } from "@smsgw/contracts";
import type postgres from "postgres";
import { InvalidCursorError } from "./errors.ts";
import type { MessageRow } from "./message-row.ts";
import {
  type MessageView,
  type PublicPartOutcome,
  publicPartOutcomes,
  viewOfRow,
} from "./message-view.ts";

/**
 * An account's message log, for the customer console: newest first on a cursor, with
 * filters, and counts by status per day. Read-only, over the caller's own connection (the
 * tables are named with their schema). Served by the event store's indexes on (account,
 * [destination | sender,] created_at desc) (migrations 0006 and 0009) so a page costs the
 * same with 10 messages or 10 million; a status filter walks the account's time index (an
 * index on status would cost every status move its HOT update: docs/adr/0016).
 */
export interface LogFilter {
  status?: MessageStatus;
  /** E.164 destination, exact. */
  to?: string;
  /** Sender ID as sent, exact. */
  from?: string;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
  messageId?: string;
}

export interface LogPage {
  messages: MessageView[];
  /** Pass as `after` for the next (older) page; null on the last one. */
  nextCursor: string | null;
}

export interface DayCount {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  status: MessageStatus;
  count: number;
}

export interface MessageDetail extends MessageView {
  /** Per part (1-based key): its status, when, and the carrier's error code. */
  partOutcomes: Record<string, PublicPartOutcome>;
  callbackUrl: string | null;
}

export interface AccountLogReader {
  /** Throws `InvalidCursorError` for an `after` this reader did not hand out. */
  listMessages(
    accountId: string,
    filter: LogFilter,
    page: { after?: string; limit: number },
  ): Promise<LogPage>;
  /** Messages created in [since, until) by UTC day and current status. */
  countsByDay(accountId: string, since: Date, until: Date): Promise<DayCount[]>;
  /** Null when unknown, not accepted yet, or another account's. */
  getMessageDetail(messageId: string, accountId: string): Promise<MessageDetail | null>;
}

/** The largest page one query reads (api.md section 5: at most 1,000 a page). */
export const MAX_LOG_PAGE = 1_000;

export function createAccountLogReader(sql: postgres.Sql): AccountLogReader {
  return {
    async listMessages(accountId, filter, page) {
      const after = parseLogCursor(page.after);
      const limit = Math.max(1, Math.min(MAX_LOG_PAGE, Math.trunc(page.limit) || MAX_LOG_PAGE));
      const status =
        filter.status && MESSAGE_STATUSES.includes(filter.status) ? filter.status : null;
      // Only the filters given become conditions, so each shape gets its own plan.
      const none = sql``;
      // The cursor's time as Postgres keeps it, to the microsecond, and sent back as text:
      // a JS Date (what postgres.js makes of a timestamptz parameter) has only milliseconds,
      // and a cursor cut to them would repeat or skip rows that differ below.
      const rows = await sql<Array<MessageRow & { cursor_at: string | null }>>`
        select *, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
        from event_store.messages
        where account_id = ${accountId} and accepted
          ${status ? sql`and status = ${status}` : none}
          ${filter.to ? sql`and to_number = ${filter.to}` : none}
          ${filter.from ? sql`and from_number = ${filter.from}` : none}
          ${filter.messageId ? sql`and message_id = ${filter.messageId}` : none}
          ${filter.since ? sql`and created_at >= ${filter.since}` : none}
          ${filter.until ? sql`and created_at < ${filter.until}` : none}
          ${after ? sql`and (created_at, message_id) < (${after.createdAt}::text::timestamptz, ${after.messageId})` : none}
        order by created_at desc, message_id desc
        limit ${limit + 1}`;
      const messages = rows.slice(0, limit).map(viewOfRow);
      const last = rows[limit - 1];
      const nextCursor =
        rows.length > limit && last?.cursor_at
          ? formatLogCursor(last.cursor_at, last.message_id)
          : null;
      return { messages, nextCursor };
    },

    async countsByDay(accountId, since, until) {
      const rows = await sql<Array<{ day: string; status: MessageStatus; count: string }>>`
        select to_char(date_trunc('day', created_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
               status, count(*) as count
        from event_store.messages
        where account_id = ${accountId} and accepted
          and created_at >= ${since} and created_at < ${until}
        group by 1, 2
        order by 1, 2`;
      return rows.map((r) => ({ day: r.day, status: r.status, count: Number(r.count) }));
    },

    async getMessageDetail(messageId, accountId) {
      const [row] = await sql<MessageRow[]>`
        select * from event_store.messages
        where message_id = ${messageId} and account_id = ${accountId} and accepted`;
      if (!row) return null;
      return {
        ...viewOfRow(row),
        partOutcomes: publicPartOutcomes(row.part_outcomes),
        callbackUrl: row.callback_url,
      };
    },
  };
}

/**
 * Opaque to clients: base64url of "<createdAt ISO, to the microsecond>|<messageId>", the
 * last message handed out. Cursors with milliseconds (handed out before) still parse.
 */
function formatLogCursor(createdAt: string, messageId: string): string {
  return Buffer.from(`${createdAt}|${messageId}`).toString("base64url");
}

function parseLogCursor(
  cursor: string | undefined,
): { createdAt: string; messageId: string } | null {
  if (cursor === undefined || cursor === "") return null;
  const decoded = /^[A-Za-z0-9_-]{1,160}$/.test(cursor)
    ? Buffer.from(cursor, "base64url").toString("utf8")
    : "";
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,6}Z)\|(msg_[0-9A-Za-z]{1,40})$/.exec(
    decoded,
  );
  if (!match?.[1] || !match[2] || !isRealCursorTime(match[1])) {
    throw new InvalidCursorError(`invalid cursor "${cursor.slice(0, 40)}"`);
  }
  return { createdAt: match[1], messageId: match[2] };
}
