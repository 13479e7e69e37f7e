import type { EventOf } from "@smsgw/contracts";
import type postgres from "postgres";

/** A scheduled message taken to be routed, and how many times it was taken (1 = first). */
export interface ClaimedMessage {
  event: EventOf<"MessageAccepted">;
  claims: number;
  /** The account canceled it before it was taken (ADR 0030): it fails, it is not routed. */
  canceled: boolean;
}

/** What a cancel found (`CancelResponse`'s outcomes but the error). */
export type CancelOutcome = "canceled" | "released" | "not_scheduled";

/** What the metrics show of the schedule. */
export interface ScheduleStats {
  waiting: number;
  /** Seconds the oldest due message (not taken by a live lease) is past its sendAt; 0 if none. */
  oldestOverdueSeconds: number;
}

/**
 * Routing's scheduled messages (`routing.scheduled`): kept here, not held on a consumer, from
 * the moment the accepted event is read until the order is stored. Every write is idempotent
 * on the message id.
 */
export interface ScheduleStore {
  /** Stores each message once: a repeat, or one already routed (its row is kept a day), is ignored. */
  insert(events: readonly EventOf<"MessageAccepted">[], now: Date): Promise<void>;
  /**
   * Takes up to `limit` messages due at `now`, oldest first, for `leaseMs`: another replica
   * skips a row being taken (`for update skip locked`) and a row under a lease, so no two take
   * the same one; a taker that dies leaves it to be taken again when the lease ends.
   */
  claimDue(now: Date, leaseMs: number, limit: number): Promise<ClaimedMessage[]>;
  /**
   * Marks messages whose order (or failure) is stored as routed, dropping their content (the
   * text and number live nowhere else in routing; ADR 0021).
   */
  markRouted(messageIds: readonly string[], now: Date): Promise<void>;
  /**
   * Cancels the account's message if no replica has taken it yet (ADR 0030): it is made due
   * now, and the timer that takes it publishes its failure instead of routing it. Taking a
   * row (`claimDue`) and canceling it are single statements on one row: whichever comes
   * first wins, and the other sees it. A row taken once is never canceled, since its order
   * may be stored (a taker that died before marking it routed).
   */
  requestCancel(accountId: string, messageId: string, now: Date): Promise<CancelOutcome>;
  /** Deletes the rows marked routed, and due, before `before`. */
  purgeRouted(before: Date): Promise<number>;
  stats(now: Date): Promise<ScheduleStats>;
}

export function createScheduleStore(sql: postgres.Sql): ScheduleStore {
  return {
    async insert(events, now) {
      if (events.length === 0) return;
      // Text, then jsonb (postgres.js would bind a string to jsonb as a JSON string).
      await sql`
        insert into scheduled (message_id, account_id, event, send_at, due_at, created_at)
        select t.m, t.a, t.e::jsonb, t.s, t.s, ${now.toISOString()}::timestamptz
        from unnest(
          ${events.map((e) => e.messageId)}::text[], ${events.map((e) => e.accountId)}::text[],
          ${events.map((e) => JSON.stringify(e))}::text[],
          ${events.map((e) => e.data.sendAt ?? now.toISOString())}::timestamptz[]
        ) as t(m, a, e, s)
        on conflict (message_id) do nothing`;
    },

    async claimDue(now, leaseMs, limit) {
      const at = now.toISOString();
      const until = new Date(now.getTime() + leaseMs).toISOString();
      const rows = await sql<
        Array<{ event: EventOf<"MessageAccepted">; claims: number; canceled: boolean }>
      >`
        update scheduled s set due_at = ${until}::timestamptz, claims = s.claims + 1
        from (
          select message_id from scheduled
          where routed_at is null and due_at <= ${at}::timestamptz
          order by due_at
          limit ${limit}
          for update skip locked
        ) d
        where s.message_id = d.message_id
        returning s.event, s.claims, s.cancel_requested_at is not null as canceled`;
      return rows.map((row) => ({ event: row.event, claims: row.claims, canceled: row.canceled }));
    },

    async requestCancel(accountId, messageId, now) {
      const at = now.toISOString();
      // Made due now when it was not taken yet; asked again while its failure is on its way,
      // it is left as it is (the lease of the taker that publishes it stands).
      const canceled = await sql`
        update scheduled set
          cancel_requested_at = coalesce(cancel_requested_at, ${at}::timestamptz),
          due_at = case when claims = 0 then ${at}::timestamptz else due_at end
        where message_id = ${messageId} and account_id = ${accountId} and routed_at is null
          and (claims = 0 or cancel_requested_at is not null)
        returning message_id`;
      if (canceled.count > 0) return "canceled";
      const [row] = await sql<Array<{ canceled: boolean }>>`
        select cancel_requested_at is not null as canceled from scheduled
        where message_id = ${messageId} and account_id = ${accountId}`;
      if (!row) return "not_scheduled";
      return row.canceled ? "canceled" : "released";
    },

    async markRouted(messageIds, now) {
      if (messageIds.length === 0) return;
      await sql`
        update scheduled set routed_at = ${now.toISOString()}::timestamptz, event = '{}'::jsonb
        where message_id = any(${[...messageIds]}::text[]) and routed_at is null`;
    },

    async purgeRouted(before) {
      // A day after its sendAt too: a copy of a message canceled days before its sendAt may be
      // read up to then, and must find its row (ADR 0030).
      const rows = await sql`
        delete from scheduled
        where routed_at < ${before.toISOString()}::timestamptz
          and send_at < ${before.toISOString()}::timestamptz`;
      return rows.count;
    },

    async stats(now) {
      const at = now.toISOString();
      const [row] = await sql<Array<{ waiting: string; oldest: Date | null }>>`
        select count(*) as waiting,
          min(send_at) filter (where due_at <= ${at}::timestamptz) as oldest
        from scheduled where routed_at is null`;
      const oldest = row?.oldest ? row.oldest.getTime() : now.getTime();
      return {
        waiting: Number(row?.waiting ?? 0),
        oldestOverdueSeconds: Math.max(0, (now.getTime() - oldest) / 1000),
      };
    },
  };
}
