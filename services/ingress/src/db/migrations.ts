import { rateBucketsTable } from "@smsgw/message-acceptance";
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * The ingress's own schema `ingress`: the idempotency keys of `POST /v1/messages`, and the
 * shared rate-limit buckets (`@smsgw/message-acceptance`'s `shared-limits/store.ts`).
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
    up: rateBucketsTable,
  },
};
