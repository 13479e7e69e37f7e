import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * The ingress's own schema `ingress`: the idempotency keys of `POST /v1/messages`, and the
 * shared rate-limit buckets (`handlers/shared-limits-store.ts`).
 */
export const migrations: Record<string, Migration> = {
  "0001_idempotency_keys": {
    async up(db: Kysely<unknown>) {
      await sql`
        create table idempotency_keys (
          account_id text not null,
          key text not null,
          -- SHA-256 of the request body (credentials left out): same key, other body = refused.
          fingerprint text not null,
          -- Chosen when the key is first claimed and kept on every retry, so pricing's
          -- once-per-messageId charge and JetStream's de-duplication hold across retries.
          message_id text not null,
          -- pending: someone is sending; done: answer stored; open: released after a server
          -- error (nothing answered success), the next retry takes it over.
          state text not null check (state in ('pending', 'done', 'open')),
          claimed_at timestamptz not null default now(),
          http_status integer,
          -- The answer's bytes, replayed as they were (jsonb would reorder the keys).
          body text,
          created_at timestamptz not null default now(),
          primary key (account_id, key)
        )`.execute(db);
      await sql`create index idempotency_keys_created_at on idempotency_keys (created_at)`.execute(
        db,
      );
    },
  },
  "0002_rate_buckets": {
    async up(db: Kysely<unknown>) {
      // One token bucket per limited key (per-IP, per-account) for the whole gateway. Each
      // replica reports what it took every sync interval and reads the tokens back.
      await sql`
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
      await sql`create index rate_buckets_updated_at on rate_buckets (updated_at)`.execute(db);
    },
  },
};
