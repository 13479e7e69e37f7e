import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

/** The Postgres schema pricing owns. */
export const PRICING_SCHEMA = "pricing";

/**
 * Migrations of the `pricing` schema, applied in name order by the service at start and
 * by the CLI. Connections put `pricing` first on the search path, so names are unqualified.
 */
export const migrations: Record<string, Migration> = {
  "0001_accounts_prices_ledger": {
    async up(db: Kysely<unknown>) {
      await sql`
        create table accounts (
          account_id text primary key,
          name text not null unique,
          hash text not null unique,
          token_sha256 text not null check (token_sha256 ~ '^[0-9a-f]{64}$'),
          status text not null default 'active' check (status in ('active', 'disabled')),
          currency text not null,
          test boolean not null default true,
          balance bigint not null default 0 check (balance >= 0),
          webhook_secret text not null,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);

      await sql`
        create table prices (
          prefix text primary key check (prefix ~ '^[+][0-9]{1,15}$'),
          country text not null,
          price_per_part bigint not null check (price_per_part >= 0),
          currency text not null
        )`.execute(db);

      await sql`
        create table ledger (
          id bigserial primary key,
          account_id text not null references accounts (account_id),
          kind text not null check (kind in ('topup', 'charge', 'refund', 'adjustment')),
          amount bigint not null,
          message_id text,
          parts integer check (parts > 0),
          price_per_part bigint check (price_per_part >= 0),
          actor text not null,
          note text not null default '',
          created_at timestamptz not null default now(),
          check (kind <> 'charge' or (message_id is not null and amount <= 0
                                      and parts is not null and price_per_part is not null)),
          check (kind <> 'topup' or amount > 0)
        )`.execute(db);
      // A message is charged at most once, whatever retries or replicas do.
      await sql`
        create unique index ledger_charge_once on ledger (message_id)
        where kind = 'charge'`.execute(db);
      await sql`create index ledger_by_account on ledger (account_id, id)`.execute(db);
      await sql`
        create function ledger_append_only() returns trigger language plpgsql as $$
        begin
          raise exception 'the ledger is append-only: % refused', tg_op;
        end $$`.execute(db);
      await sql`
        create trigger ledger_append_only before update or delete on ledger
        for each statement execute function ledger_append_only()`.execute(db);
    },
  },
  "0002_refunds_outbox_account_settings": {
    async up(db: Kysely<unknown>) {
      await sql`
        alter table accounts
          add column blocked_countries text[] not null default '{}',
          add column limits jsonb,
          add column webhook_secret_previous text,
          add column webhook_secret_previous_until timestamptz`.execute(db);
      // A message is refunded at most once, whatever redeliveries or sweeps do.
      await sql`
        create unique index ledger_refund_once on ledger (message_id)
        where kind = 'refund'`.execute(db);
      await sql`
        alter table ledger add constraint ledger_refund_shape
          check (kind <> 'refund' or (message_id is not null and amount > 0))`.execute(db);
      // Charges whose MessageAccepted has not been seen yet: the sweep refunds those
      // older than the grace period. Small (deleted on acceptance), unlike the ledger.
      await sql`
        create table pending_charges (
          message_id text primary key,
          account_id text not null,
          charged_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index pending_charges_by_age on pending_charges (charged_at)`.execute(db);
      // Events written in the transaction that decided them; deleted once published.
      await sql`
        create table outbox (
          event_id text primary key,
          event jsonb not null,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index outbox_by_age on outbox (created_at)`.execute(db);
      await sql`
        create table price_overrides (
          account_id text not null references accounts (account_id),
          prefix text not null check (prefix ~ '^[+][0-9]{1,15}$'),
          price_per_part bigint not null check (price_per_part >= 0),
          actor text not null,
          updated_at timestamptz not null default now(),
          primary key (account_id, prefix)
        )`.execute(db);
    },
  },
  "0003_default_callback_url": {
    async up(db: Kysely<unknown>) {
      // Judged by the callback guard when set (account-settings.ts); published to the KV.
      await sql`alter table accounts add column default_callback_url text`.execute(db);
    },
  },
  "0004_smpp_credentials": {
    async up(db: Kysely<unknown>) {
      // api.md section 6: a system_id per account (unique) and the scrypt hash of its
      // password (ADR 0012); published to the accounts KV for smpp-server.
      await sql`alter table accounts add column smpp_system_id text unique`.execute(db);
      await sql`alter table accounts add column smpp_password_hash text`.execute(db);
    },
  },
  "0005_api_keys": {
    async up(db: Kysely<unknown>) {
      // api.md section 8: the account's API keys (contracts ApiKeyRecord: digests, never
      // secrets), bounded in number, published inside the account's record (ADR 0018).
      await sql`alter table accounts add column api_keys jsonb not null default '[]'`.execute(db);
    },
  },
  "0006_audit_log": {
    async up(db: Kysely<unknown>) {
      // Issue 22: who changed an account's keys or token, when, from where. Written in the
      // transaction of the change (one entry per change); append-only like the ledger.
      await sql`
        create table audit_log (
          id bigserial primary key,
          account_id text not null references accounts (account_id),
          at timestamptz not null default now(),
          action text not null,
          actor text not null,
          ip text,
          target text,
          details jsonb not null default '{}'
        )`.execute(db);
      await sql`create index audit_log_by_account on audit_log (account_id, id desc)`.execute(db);
      await sql`
        create function audit_log_append_only() returns trigger language plpgsql as $$
        begin raise exception 'audit_log is append-only'; end $$`.execute(db);
      await sql`
        create trigger audit_log_append_only before update or delete on audit_log
        for each statement execute function audit_log_append_only()`.execute(db);
    },
  },
  "0007_acceptance_log": {
    async up(db: Kysely<unknown>) {
      // The acceptances read, a consumer batch to a row, instead of a pending row inserted per
      // charge and deleted per acceptance (ADR 0009, amended): the sweep finds the charges
      // past the settlement mark that no row names (db/settlement.ts).
      await sql`
        create table accepted_log (
          id bigserial primary key,
          seen_at timestamptz not null default now(),
          message_ids text[] not null
        )`.execute(db);
      // One row: charges up to ledger_id are settled (accepted or refunded); the log holds
      // every acceptance stored since log_from (its durable starts there).
      await sql`
        create table settlement_mark (
          only_row boolean primary key default true check (only_row),
          ledger_id bigint not null,
          log_from timestamptz not null
        )`.execute(db);
      // Where the pending rows left off: charges before the oldest still pending are
      // settled; acceptances of the later ones are read again from the stream, from a minute
      // before the oldest pending charge. pending_charges is no longer written (dropped by a
      // later migration, once no replica of the version before can be running).
      await sql`
        insert into settlement_mark (ledger_id, log_from)
        select
          coalesce(
            (select min(l.id) - 1 from ledger l join pending_charges p using (message_id)
              where l.kind = 'charge'),
            (select coalesce(max(id), 0) from ledger)),
          coalesce((select min(charged_at) from pending_charges), now()) - interval '1 minute'
        `.execute(db);
    },
  },
  "0008_live_requests": {
    async up(db: Kysely<unknown>) {
      // Issue 22, going live: a test account's request for live sending and the operator's
      // answer. Kept after the decision (the console shows a decline's reason); at most one
      // pending per account, whatever double submits do.
      await sql`
        create table live_requests (
          id bigserial primary key,
          account_id text not null references accounts (account_id),
          status text not null default 'pending'
            check (status in ('pending', 'approved', 'declined')),
          company text not null,
          monthly_volume bigint not null check (monthly_volume > 0),
          use_case text not null,
          reason text,
          requested_by text not null,
          requested_at timestamptz not null default now(),
          decided_by text,
          decided_at timestamptz,
          check ((status = 'pending') = (decided_at is null)),
          check (status <> 'declined' or reason is not null)
        )`.execute(db);
      await sql`
        create unique index live_requests_one_pending on live_requests (account_id)
        where status = 'pending'`.execute(db);
      await sql`create index live_requests_by_account on live_requests (account_id, id desc)`.execute(
        db,
      );
    },
  },
  "0009_low_balance_threshold": {
    async up(db: Kysely<unknown>) {
      // Issue 22: below this balance (money units) the console warns, and a charge that
      // crosses it writes one AccountBalanceLow to the outbox (db/charges.ts, ADR 0020).
      // Null: no warnings. No flag is kept: "crossed" is the charge's own before and after.
      await sql`
        alter table accounts add column low_balance_threshold bigint
          check (low_balance_threshold > 0)`.execute(db);
    },
  },
  "0010_subaccounts": {
    async up(db: Kysely<unknown>) {
      // Issue 22: an account may have sub-accounts (one level), funded by transfers from it;
      // a transfer is two ledger rows, one per account, in one transaction.
      await sql`alter table accounts add column parent_account_id text references accounts (account_id)`.execute(
        db,
      );
      await sql`alter table accounts add constraint accounts_parent_not_self check (parent_account_id <> account_id)`.execute(
        db,
      );
      await sql`create index accounts_by_parent on accounts (parent_account_id) where parent_account_id is not null`.execute(
        db,
      );
      await sql`alter table ledger drop constraint ledger_kind_check`.execute(db);
      await sql`
        alter table ledger add constraint ledger_kind_check
        check (kind in ('topup', 'charge', 'refund', 'adjustment', 'transfer'))`.execute(db);
    },
  },
  "0011_audit_entry_ids": {
    async up(db: Kysely<unknown>) {
      // Issue 22, team members: the console records its own changes (members, passwords,
      // two-factor, sessions) here through an outbox of its own, retried until confirmed;
      // the id it drew with the change makes a retry record nothing more.
      await sql`alter table audit_log add column entry_id text`.execute(db);
      await sql`
        create unique index audit_log_entry_id on audit_log (entry_id)
        where entry_id is not null`.execute(db);
    },
  },
  "0012_settled_by_the_event_store": {
    async up(db: Kysely<unknown>) {
      // ADR 0024: the sweep settles charges by the event store's record, so pricing no longer
      // logs the acceptances it read, nor where that log started. A replica of the version
      // before, still running in a roll-out, fails its sweep and its acceptance batches
      // without this table (nothing is refunded or acked by it) until it is replaced.
      await sql`drop table accepted_log`.execute(db);
      await sql`alter table settlement_mark drop column log_from`.execute(db);
    },
  },
  "0013_charge_in_time": {
    async up(db: Kysely<unknown>) {
      // The authorize write checks, once it holds the balances' row locks and before it draws
      // the charges' ids, that its requesters still wait for the answer (db/charges.ts): a
      // charge the door has answered "not charged" is never written. query_canceled, as a
      // statement timeout: the statement rolls back whole.
      await sql`
        create function charge_in_time(deadline timestamptz, locked bigint) returns boolean
        language plpgsql volatile as $$
        begin
          if deadline is not null and clock_timestamp() >= deadline then
            raise exception 'the requesters'' deadline passed before the charges were written'
              using errcode = 'query_canceled';
          end if;
          return locked >= 0;
        end $$`.execute(db);
    },
  },
  "0014_ledger_references": {
    async up(db: Kysely<unknown>) {
      // A top-up or adjustment may carry its caller's reference (a payment's id): one movement
      // per account and reference, whatever retries or concurrent calls do, so a retried
      // top-up credits once (credit-movements.ts). The references' own table decides by its
      // primary key, not a read-then-write: two concurrent inserts of one reference cannot both
      // commit. Not a unique index on the ledger: migrations run in one transaction, and
      // building one there would lock the ledger, every charge with it, for as long as the
      // scan of its rows takes. A new table and a column without a default are instant.
      await sql`alter table ledger add column reference text`.execute(db);
      await sql`
        create table ledger_references (
          account_id text not null,
          reference text not null,
          ledger_id bigint,
          primary key (account_id, reference)
        )`.execute(db);
    },
  },
  "0016_low_balance_warned_at": {
    async up(db: Kysely<unknown>) {
      // One warning per fall (ADR 0020, amendment): a refund that lifts the balance back over
      // the threshold no longer re-arms it; a top-up or adjustment to it does.
      await sql`alter table accounts add column low_balance_warned_at timestamptz`.execute(db);
    },
  },
  "0015_prices_per_currency": {
    async up(db: Kysely<unknown>) {
      // The shared list prices a prefix once per currency: an account pays the list's price in
      // its own currency (an operator with USD and GBP accounts lists those too). The table is
      // the operator's list of a few hundred rows: rebuilding its key is instant.
      await sql`alter table prices drop constraint prices_pkey`.execute(db);
      await sql`alter table prices add primary key (prefix, currency)`.execute(db);
    },
  },
  "0017_transfer_keys": {
    async up(db: Kysely<unknown>) {
      // A sub-account transfer may carry its request's Idempotency-Key: one transfer per parent
      // and key, whatever retries or concurrent calls do, so a transfer retried after its
      // answer was lost moves the credit once (subaccounts.ts). As with 0014, the keys' own
      // table decides by its primary key inside the transfer's transaction, not the ledger.
      // What was asked is kept, so a key reused for another transfer is told apart.
      await sql`
        create table transfer_keys (
          parent_account_id text not null,
          request_key text not null,
          child_account_id text not null,
          amount bigint not null,
          created_at timestamptz not null default now(),
          primary key (parent_account_id, request_key)
        )`.execute(db);
    },
  },
};
