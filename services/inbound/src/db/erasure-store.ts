import { type Database, eraseNoticeTable } from "@smsgw/service-kit";
import { erasedAddresses, type RetentionPlan } from "../domain/erasure.ts";
import { INBOUND_SCHEMA } from "./migrations.ts";

// A number is matched by its hex SHA-256, as `NumberErased` carries it (ADR 0021):
// encode(sha256(convert_to(<number>, 'UTF8')), 'hex'). A scan, for an operator's rare request.

/** Erasure of the inbound schema's text and numbers (ADR 0021, amendment 2). */
export function createErasureStore(database: Database<unknown>) {
  const { sql } = database;
  const notices = eraseNoticeTable(sql, INBOUND_SCHEMA);
  return {
    /**
     * The erased MO whose `MessagesErased` is not stored yet (`inbound.erase_notices`), noted
     * by `erase` in its transaction: the retention job and erase-number send them again.
     */
    notices,

    /**
     * Up to `limit` messages not erased yet whose retention is over (`retentionPlan`), oldest
     * first, on the partial index `messages_to_erase`: the rows read that are not due are those
     * older than the shortest retention and younger than their own account's.
     */
    async dueForRetention(plan: RetentionPlan, limit: number): Promise<string[]> {
      const ids = plan.accounts.map((a) => a.accountId);
      const cutoffs = plan.accounts.map((a) => a.cutoff.toISOString());
      const rows = await sql<{ id: string }[]>`
        select m.id from messages m
        left join unnest(${ids}::text[], ${cutoffs}::timestamptz[]) as o(account_id, cutoff)
          on o.account_id = m.account_id
        where m.erased_at is null
          and m.received_at <= ${plan.latestCutoff}
          and m.received_at <= coalesce(o.cutoff, ${plan.defaultCutoff})
        order by m.received_at
        limit ${limit}`;
      return rows.map((r) => r.id);
    },

    /** Up to `limit` messages not erased yet from or to the number of this digest (a scan: rare). */
    async ofNumber(numberSha256: string, limit: number): Promise<string[]> {
      const rows = await sql<{ id: string }[]>`
        select id from messages
        where erased_at is null
          and (encode(sha256(convert_to(from_number, 'UTF8')), 'hex') = ${numberSha256}
            or encode(sha256(convert_to(to_number, 'UTF8')), 'hex') = ${numberSha256})
        limit ${limit}`;
      return rows.map((r) => r.id);
    },

    /** Whether parts from or to that number still wait for their siblings (not a message yet). */
    async partsWaitingFor(numberSha256: string): Promise<boolean> {
      const [row] = await sql`
        select 1 from parts
        where joined_into is null
          -- The sender and recipient are in the group key (domain/concat.ts partGroupKey).
          and (encode(sha256(convert_to(group_key::jsonb ->> 1, 'UTF8')), 'hex') = ${numberSha256}
            or encode(sha256(convert_to(group_key::jsonb ->> 2, 'UTF8')), 'hex') = ${numberSha256})
        limit 1`;
      return row !== undefined;
    },

    /**
     * Erases these messages in one transaction: the text null, the sender masked (the
     * recipient too when it is the number `numberSha256` names), `erased_at` set, and their
     * joined parts deleted (kept only to recognise a redelivered event, and holding the text,
     * its octets and both numbers). Their stream copies (`stream_seqs`) at or above `streamFloor` (the
     * stream's first sequence: below it the stream dropped them already) are queued for the
     * stream eraser (ADR 0021, amendment 4), and their ids noted in `erase_notices` until
     * `notices.send` has their `MessagesErased` stored. Messages erased before are left as
     * they are. Returns the ids erased.
     */
    async erase(
      ids: readonly string[],
      now: Date,
      options: { numberSha256?: string; streamFloor?: number } = {},
    ): Promise<string[]> {
      if (ids.length === 0) return [];
      const { numberSha256, streamFloor = 0 } = options;
      return (await sql.begin(async (tx) => {
        const targets = await tx<
          { id: string; from_number: string; to_number: string; to_is_number: boolean }[]
        >`
          select id, from_number, to_number,
            coalesce(encode(sha256(convert_to(to_number, 'UTF8')), 'hex') = ${numberSha256 ?? null}::text,
              false) as to_is_number
          from messages where id = any(${ids as string[]}) and erased_at is null
          for update`;
        if (targets.length === 0) return [];
        const erased = targets.map((t) => {
          const { from, to } = erasedAddresses(
            { from: t.from_number, to: t.to_number },
            t.to_is_number,
          );
          return { id: t.id, from_number: from, to_number: to };
        });
        // Their stream copies are queued in the same statement (the stream eraser's queue).
        await tx`
          with erased as (
            update messages m
            set text = null, from_number = x.from_number, to_number = x.to_number, erased_at = ${now}
            from jsonb_to_recordset(${JSON.stringify(erased)}::text::jsonb)
              as x(id text, from_number text, to_number text)
            where m.id = x.id
            returning m.stream_seqs
          )
          insert into stream_erasures (seq)
          select distinct s from erased, unnest(erased.stream_seqs) s where s >= ${streamFloor}
          on conflict (seq) do nothing`;
        const erasedIds = erased.map((e) => e.id);
        await tx`delete from parts where joined_into = any(${erasedIds})`;
        await notices.note(tx, erasedIds);
        return erasedIds;
      })) as string[];
    },
  };
}

export type ErasureStore = ReturnType<typeof createErasureStore>;
