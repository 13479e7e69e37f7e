import { rateBucketsTable } from "@smsgw/message-acceptance";
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * smpp-server's own schema `smpp_server`: the receipts owed to customers' binds (api.md
 * section 6), kept while no receiver of the account is bound and until one acknowledges;
 * every replica's binds; the account's shared rate; the parts of concatenated submits.
 */
export const migrations: Record<string, Migration> = {
  "0001_receipts": {
    async up(db: Kysely<unknown>) {
      await sql`
        create table receipts (
          -- One final status per message, so one receipt: a redelivered change is dropped.
          message_id text primary key,
          account_id text not null,
          -- The MessageStatusChanged it comes from, as published by the event store.
          change jsonb not null,
          created_at timestamptz not null default now(),
          -- Given up after this (the message's validity, or SMPP_RECEIPT_TTL_HOURS).
          expires_at timestamptz not null,
          -- Due for (another) attempt from then; a replica sending it pushes it out (a lease).
          next_attempt_at timestamptz not null default now(),
          attempts integer not null default 0
        )`.execute(db);
      await sql`create index receipts_due on receipts (account_id, next_attempt_at)`.execute(db);
      await sql`create index receipts_expiry on receipts (expires_at)`.execute(db);
    },
  },
  "0002_binds": {
    async up(db: Kysely<unknown>) {
      // Every replica's binds, so an account's bind limit holds for the gateway: a replica
      // refreshes its rows' heartbeat; rows of a replica that died go stale (server time).
      await sql`
        create table binds (
          bind_id text primary key,
          account_id text not null,
          replica_id text not null,
          mode text not null,
          heartbeat_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index binds_by_account on binds (account_id, heartbeat_at)`.execute(db);
    },
  },
  "0003_rate_buckets": {
    // The account's rate for all of this door's replicas (@smsgw/message-acceptance's
    // shared-limits/store.ts), as ingress's.
    up: rateBucketsTable,
  },
  "0004_concat_parts": {
    async up(db: Kysely<unknown>) {
      // The concatenated submits waiting for their other parts, shared by every replica
      // (ADR 0029): a part may come by any bind of the account, held by any replica.
      await sql`
        create table concat_groups (
          account_id text not null,
          -- sender|recipient|reference|total (domain/concat.ts groupKeyOf)
          group_key text not null,
          -- Given when the first part came: every part is answered with it.
          message_id text not null,
          sender text not null,
          recipient text not null,
          total integer not null,
          -- Dropped, never charged, once this is SMPP_CONCAT_TIMEOUT_MS old (server time).
          started_at timestamptz not null default now(),
          -- Put back after an answer that left the message's fate open.
          uncertain boolean not null default false,
          primary key (account_id, group_key)
        )`.execute(db);
      await sql`create index concat_groups_started on concat_groups (started_at)`.execute(db);
      await sql`
        create table concat_parts (
          account_id text not null,
          group_key text not null,
          seq integer not null,
          -- The part's bytes after any UDH: joined before decoding.
          payload bytea not null,
          data_coding integer not null,
          registered_delivery integer not null,
          primary key (account_id, group_key, seq)
        )`.execute(db);
    },
  },
  "0005_concat_completing": {
    async up(db: Kysely<unknown>) {
      // A whole message's parts stay until its accept has an outcome (ADR 0029, amendment):
      // the accept holds the group until then; a replica that stops meanwhile leaves a lease
      // that lapses, and the next resend of a part completes the message again.
      await sql`alter table concat_groups add column completing_until timestamptz`.execute(db);
    },
  },
  "0006_concat_retry_grace": {
    async up(db: Kysely<unknown>) {
      // When its completing part was last told to retry later: the sweep leaves the message
      // a while after that answer, so the resend we asked for completes it (ADR 0029).
      await sql`alter table concat_groups add column retried_at timestamptz`.execute(db);
    },
  },
};
