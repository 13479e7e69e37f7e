import type { Database, Logger } from "@smsgw/service-kit";
import { type Kysely, sql as kyselySql } from "kysely";
import type { SharedRateLimiter, Usage } from "../domain/shared-limits.ts";

export interface SharedLimitsDeps {
  sql: Database<unknown>["sql"];
  /** The door's own schema, which holds its `rate_buckets` (rateBucketsTable). */
  schema: string;
  /** Each limiter's keys live under its namespace (`ip`, `account`) in one table. */
  limiters: ReadonlyArray<{ namespace: string; limiter: SharedRateLimiter }>;
  syncMs: number;
  log: Logger;
  now(): number;
}

/** Rows of keys no replica has reported for this long are deleted (a bucket that old is full). */
const FORGET_AFTER = "1 hour";
const PURGE_EVERY_MS = 10 * 60_000;
/** How long stopping waits for the last report. */
const FINAL_SYNC_MS = 2_000;
/** How soon a kick syncs: a flood of new keys still makes at most one statement per this. */
const KICK_MS = 5;

/**
 * The shared side of the rate limits (domain/shared-limits.ts): every `syncMs`, one statement
 * reports what this replica took per key, for every limiter, and reads back each key's shared
 * tokens. The shared bucket is refilled on the database's clock, so replicas' clocks do not
 * matter. Requests never wait for it: a failed sync is logged, its counts go into the next,
 * and meanwhile every replica decides on its own copy (per-replica limits, as before).
 */
export function startSharedLimits(deps: SharedLimitsDeps): {
  /** Sync soon (a key seen for the first time): within KICK_MS, not at the end of the interval. */
  kick(): void;
  stop(): Promise<void>;
} {
  const { sql, log } = deps;
  const table = sql(`${deps.schema}.rate_buckets`);
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  let syncing = false;
  let kicked = false;

  async function sync(): Promise<void> {
    const now = deps.now();
    const usage: Usage[] = [];
    for (const { namespace, limiter } of deps.limiters) {
      for (const line of limiter.report(now))
        usage.push({ ...line, key: `${namespace}:${line.key}` });
    }
    if (usage.length === 0) return;
    // One lock order for every replica's statement: no deadlock between them.
    usage.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    try {
      const rows = await sql<{ key: string; tokens: number }[]>`
        insert into ${table} as b (key, tokens, at_ms, rate, burst, used)
        select u.key, u.burst - u.used, c.now, u.rate, u.burst, u.used
        from unnest(
          ${usage.map((u) => u.key)}::text[],
          ${usage.map((u) => u.used)}::float8[],
          ${usage.map((u) => u.ratePerSec)}::float8[],
          ${usage.map((u) => u.burst)}::float8[]
        ) with ordinality as u(key, used, rate, burst, n),
        (select extract(epoch from clock_timestamp()) * 1000 as now) as c
        order by u.n
        on conflict (key) do update set
          tokens = greatest(
            -excluded.burst,
            least(excluded.burst, b.tokens + greatest(0, excluded.at_ms - b.at_ms) * excluded.rate / 1000)
              - excluded.used
          ),
          at_ms = greatest(b.at_ms, excluded.at_ms),
          rate = excluded.rate, burst = excluded.burst, used = excluded.used, updated_at = now()
        returning key, tokens`;
      const settledAt = deps.now();
      for (const { namespace, limiter } of deps.limiters) {
        const prefix = `${namespace}:`;
        const tokens = new Map<string, number>();
        for (const row of rows) {
          if (row.key.startsWith(prefix)) tokens.set(row.key.slice(prefix.length), row.tokens);
        }
        limiter.settle(tokens, settledAt);
      }
      if (failing) log.info("shared rate limits: synced again");
      failing = false;
    } catch (error) {
      for (const { limiter } of deps.limiters) limiter.abandon();
      if (!failing)
        log.warn(
          { err: error },
          "shared rate limits: sync failed; limits are per replica until it works",
        );
      failing = true;
    }
  }

  const loop = () => {
    if (stopped) return;
    clearTimeout(timer);
    syncing = true;
    kicked = false;
    running = sync().finally(() => {
      syncing = false;
      if (!stopped) timer = setTimeout(loop, kicked ? KICK_MS : deps.syncMs).unref();
    });
  };
  timer = setTimeout(loop, deps.syncMs).unref();
  const purger = setInterval(() => {
    sql`delete from ${table} where updated_at < now() - ${FORGET_AFTER}::interval`.catch(
      (error: unknown) => log.warn({ err: error }, "shared rate limits: purge failed"),
    );
  }, PURGE_EVERY_MS).unref();

  return {
    kick() {
      if (kicked || stopped) return;
      kicked = true;
      // While a sync runs, the loop comes back after KICK_MS; otherwise start one then.
      if (!syncing) {
        clearTimeout(timer);
        timer = setTimeout(loop, KICK_MS).unref();
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(purger);
      // The last counts are reported, so the other replicas see them; a database that does
      // not answer does not hold the shutdown up.
      await running;
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([
        sync(),
        new Promise((resolve) => {
          bound = setTimeout(resolve, FINAL_SYNC_MS);
        }),
      ]);
      clearTimeout(bound);
    },
  };
}

/**
 * The migration of a door's shared buckets: one token bucket per limited key (per-IP,
 * per-account) for all of that door's replicas. Each replica reports what it took every sync
 * interval and reads the tokens back.
 */
export async function rateBucketsTable(db: Kysely<unknown>): Promise<void> {
  await kyselySql`
    create table rate_buckets (
      key text primary key,
      -- May go below zero: replicas took more in one interval than was left (a debt).
      tokens double precision not null,
      -- The database's clock (ms since the epoch) when tokens was last brought up to date.
      at_ms double precision not null,
      -- The limits and the count of the last report (insert ... on conflict reads them).
      rate double precision not null,
      burst double precision not null,
      used double precision not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await kyselySql`create index rate_buckets_updated_at on rate_buckets (updated_at)`.execute(db);
}
