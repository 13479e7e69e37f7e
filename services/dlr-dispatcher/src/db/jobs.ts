import { erasedStatusChange } from "@smsgw/contracts";
import type { Database } from "@smsgw/service-kit";
import { ifErased } from "../domain/erasure.ts";
import type { WebhookSource } from "../domain/report.ts";

/**
 * A report waiting to be delivered (a row of `dispatcher.jobs`): a message's status change
 * (messageId, sequence), or an inbound message (its `in_` id, sequence 0).
 */
export interface Job {
  messageId: string;
  sequence: number;
  accountId: string;
  origin: string;
  change: WebhookSource;
  /** Attempts made so far. */
  attempts: number;
}

/** How an attempt, or a decision not to attempt, leaves a job. */
export type Settlement =
  | { kind: "done"; job: Job }
  | { kind: "retry"; job: Job; attempts: number; dueAt: Date };

interface JobRow {
  message_id: string;
  sequence: number;
  account_id: string;
  origin: string;
  change: WebhookSource;
  attempts: number;
}

/**
 * The durable queue of reports. Every statement handles a batch (one round trip for many
 * jobs): intake inserts, the scheduler claims due jobs per origin, settlements update or
 * delete. The raw client is used because unnest and window functions are clearer in SQL.
 */
export function createJobStore(database: Database<unknown>) {
  const { sql } = database;

  return {
    /**
     * Records jobs; a change taken twice (redelivery) is recorded once. A job the fast path
     * already attempted comes with its attempts and when it is due again (or leased). A job
     * of a message erased before it came (`erased_messages`, noted by `eraseNumbers`) is
     * recorded as the message now is, in the same statement: its number masked, an erased
     * inbound message's delivery not at all (ADR 0021).
     */
    async insert(
      jobs: readonly (Omit<Job, "attempts"> & { attempts?: number; dueAt?: Date })[],
      now: Date,
    ): Promise<void> {
      if (jobs.length === 0) return;
      const at = now.toISOString();
      const erasure = jobs.map((j) => ifErased(j.change));
      await sql`
        insert into jobs (message_id, sequence, account_id, origin, change, attempts, due_at, created_at)
        select t.m, t.s, t.a, t.o,
          case when e.message_id is null or t.x is null then t.c::jsonb
            else jsonb_set(t.c::jsonb, '{toNumber}', to_jsonb(t.x)) end,
          t.n, t.d, ${at}::timestamptz
        from unnest(
          ${jobs.map((j) => j.messageId)}::text[], ${jobs.map((j) => j.sequence)}::int[],
          ${jobs.map((j) => j.accountId)}::text[], ${jobs.map((j) => j.origin)}::text[],
          ${jobs.map((j) => JSON.stringify(j.change))}::text[],
          ${jobs.map((j) => j.attempts ?? 0)}::int[],
          ${jobs.map((j) => (j.dueAt ?? now).toISOString())}::timestamptz[],
          ${erasure.map((e) => e.maskedNumber)}::text[], ${erasure.map((e) => (e.drop ? 1 : 0))}::int[]
        ) as t(m, s, a, o, c, n, d, x, g)
        left join erased_messages e on e.message_id = t.m
        where e.message_id is null or t.g = 0
        on conflict (message_id, sequence) do nothing`;
    },

    /**
     * Takes up to `limit` due jobs, each origin's oldest before any origin's second (then by
     * due time: an origin with an old backlog never crowds out another's first job), at most
     * `perOrigin` per origin — fewer
     * (`free`) for the origins listed in `limited` (busy or backing off) — and leases them
     * (due_at moves to now + leaseMs: if this process dies mid-attempt, the job comes back).
     * The update re-checks due_at under the row lock, so two replicas never take the same job.
     */
    async claim(options: {
      limit: number;
      perOrigin: number;
      limited: { origins: string[]; free: number[] };
      leaseMs: number;
    }): Promise<Job[]> {
      // Origins are enumerated by a loose index scan over (origin, due_at) — one index
      // probe per origin with pending jobs — and each origin gives its own oldest due jobs
      // (a lateral, bounded by its free slots). The cost follows the number of origins,
      // never the size of one origin's backlog, so a busy origin cannot hide another.
      const rows = await sql<JobRow[]>`
        with recursive origins(origin) as (
          (select origin from jobs order by origin limit 1)
          union all
          select (select j.origin from jobs j where j.origin > o.origin order by j.origin limit 1)
          from origins o where o.origin is not null
        ), busy as (
          select o, f from unnest(${options.limited.origins}::text[], ${options.limited.free}::int[]) as b(o, f)
        ), chosen as (
          select c.message_id, c.sequence,
            row_number() over (partition by o.origin order by c.due_at) as turn, c.due_at
          from origins o
          left join busy on busy.o = o.origin
          cross join lateral (
            select j.message_id, j.sequence, j.due_at from jobs j
            where j.origin = o.origin and j.due_at <= now()
            order by j.due_at limit coalesce(busy.f, ${options.perOrigin})
          ) c
          where o.origin is not null and coalesce(busy.f, ${options.perOrigin}) > 0
          order by turn, c.due_at limit ${options.limit}
        )
        update jobs j set due_at = now() + ${options.leaseMs} * interval '1 millisecond'
        from chosen where j.message_id = chosen.message_id and j.sequence = chosen.sequence
          and j.due_at <= now()
        returning j.message_id, j.sequence, j.account_id, j.origin, j.change, j.attempts`;
      return rows.map((row) => ({
        messageId: row.message_id,
        sequence: row.sequence,
        accountId: row.account_id,
        origin: row.origin,
        change: row.change,
        attempts: row.attempts,
      }));
    },

    /** Deletes finished jobs and reschedules the others, two statements for the whole batch. */
    async settle(settlements: readonly Settlement[]): Promise<void> {
      const done = settlements.filter((s) => s.kind === "done");
      const retry = settlements.filter((s) => s.kind === "retry");
      if (done.length > 0) {
        await sql`
          delete from jobs j using unnest(
            ${done.map((s) => s.job.messageId)}::text[], ${done.map((s) => s.job.sequence)}::int[]
          ) as d(m, s) where j.message_id = d.m and j.sequence = d.s`;
      }
      if (retry.length > 0) {
        await sql`
          update jobs j set attempts = r.a, due_at = r.d from unnest(
            ${retry.map((s) => s.job.messageId)}::text[], ${retry.map((s) => s.job.sequence)}::int[],
            ${retry.map((s) => s.attempts)}::int[], ${retry.map((s) => s.dueAt.toISOString())}::timestamptz[]
          ) as r(m, s, a, d) where j.message_id = r.m and j.sequence = r.s`;
      }
    },

    /**
     * An origin that is down backs off as a whole: its due jobs move to the end of the
     * back-off, so they leave the claim query's working set (a dead endpoint's backlog
     * costs nothing per poll) and the back-off survives a restart.
     */
    async postponeOrigin(origin: string, until: Date): Promise<void> {
      await sql`
        update jobs set due_at = ${until.toISOString()}::timestamptz
        where origin = ${origin} and due_at < ${until.toISOString()}::timestamptz and due_at <= now()`;
    },

    /** When the earliest pending job falls due (null when there is none), to sleep until then. */
    async nextDueAt(): Promise<Date | null> {
      const [row] = await sql<{ at: Date | null }[]>`select min(due_at) as at from jobs`;
      return row?.at ?? null;
    },

    /**
     * The reports of erased messages (ADR 0021) keep their number masked, as the event
     * store now keeps it: they go out so, while they are still retried. An erased inbound
     * message's delivery (its `in_` id, ADR 0021 amendment 2) is dropped: its text and sender
     * are gone from the inbound service, and there is nothing left to deliver. The ids in
     * `remember` are noted, so that a report of theirs recorded later is masked (or dropped)
     * on insert; notes older than `forgetBefore` are deleted.
     */
    async eraseNumbers(
      messageIds: readonly string[],
      notes: { remember: readonly string[]; forgetBefore: Date } = {
        remember: [],
        forgetBefore: new Date(0),
      },
    ): Promise<number> {
      if (messageIds.length === 0) return 0;
      await sql`
        with noted as (
          insert into erased_messages (message_id, erased_at)
          select unnest(${[...notes.remember]}::text[]), now()
          on conflict (message_id) do update set erased_at = excluded.erased_at
        )
        delete from erased_messages
        where erased_at < ${notes.forgetBefore.toISOString()}::timestamptz
          and message_id <> all(${[...notes.remember]}::text[])`;
      const dropped = await sql`
        delete from jobs
        where message_id = any(${[...messageIds]}::text[]) and change->>'type' = 'InboundDelivery'`;
      const rows = await sql<JobRow[]>`
        select message_id, sequence, change from jobs where message_id = any(${[...messageIds]}::text[])`;
      const erased = rows
        .filter((row) => "toNumber" in row.change)
        .map((row) => ({
          m: row.message_id,
          s: row.sequence,
          c: JSON.stringify(erasedStatusChange(row.change as { toNumber: string })),
        }));
      if (erased.length === 0) return dropped.count;
      await sql`
        update jobs j set change = e.c::jsonb
        from unnest(
          ${erased.map((e) => e.m)}::text[], ${erased.map((e) => e.s)}::int[],
          ${erased.map((e) => e.c)}::text[]
        ) as e(m, s, c)
        where j.message_id = e.m and j.sequence = e.s`;
      return erased.length + dropped.count;
    },

    /** The ids noted as erased since `since`, newest first, at most `limit` (the fast path's memory at start). */
    async erasedSince(since: Date, limit: number): Promise<string[]> {
      const rows = await sql<{ message_id: string }[]>`
        select message_id from erased_messages where erased_at >= ${since.toISOString()}::timestamptz
        order by erased_at desc limit ${limit}`;
      return rows.map((row) => row.message_id);
    },

    async pending(): Promise<number> {
      const [row] = await sql<{ n: string }[]>`select count(*)::text as n from jobs`;
      return Number(row?.n ?? 0);
    },
  };
}

export type JobStore = ReturnType<typeof createJobStore>;
