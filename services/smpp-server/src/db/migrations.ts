import { rateBucketsTable } from "@smsgw/message-acceptance";
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * smpp-server's own schema `smpp_server`: the receipts owed to customers' binds (api.md
 * section 6), kept while no receiver of the account is bound and until one acknowledges.
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
};
