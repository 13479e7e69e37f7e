import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

export const INBOUND_SCHEMA = "inbound";

/**
 * The inbound service's own schema `inbound` (ADR 0019): the operator's number inventory and
 * who holds each number, the parts of concatenated MO waiting for their siblings, and every
 * inbound message (an account's, or the operator's when nobody owns the number).
 */
export const migrations: Record<string, Migration> = {
  "0001_numbers_and_inbound": {
    async up(db: Kysely<unknown>) {
      await sql`
        create table numbers (
          number text primary key,
          carrier_id text not null,
          country text not null,
          simulator boolean not null default false,
          -- null while free; set and cleared by the account's POST and DELETE /v1/numbers.
          account_id text,
          inbound_url text,
          taken_at timestamptz,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index numbers_by_account on numbers (account_id, taken_at)`.execute(db);
      await sql`create index numbers_free on numbers (country, simulator) where account_id is null`.execute(
        db,
      );
      await sql`
        create table parts (
          -- The connector's mo_ id: a redelivered event is stored once.
          mo_id text primary key,
          group_key text not null,
          seq integer not null,
          total integer not null,
          text text not null,
          received_at timestamptz not null,
          -- The inbound message it went into; null while its group waits.
          joined_into text
        )`.execute(db);
      // A carrier repeating a waiting part is not a second part.
      await sql`create unique index parts_waiting on parts (group_key, seq) where joined_into is null`.execute(
        db,
      );
      await sql`create index parts_waiting_since on parts (received_at) where joined_into is null`.execute(
        db,
      );
      await sql`
        create table messages (
          id text primary key,
          -- null: nobody owned the number; kept for the operator.
          account_id text,
          carrier_id text not null,
          from_number text not null,
          to_number text not null,
          text text not null,
          parts integer not null,
          received_at timestamptz not null,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index messages_by_account on messages (account_id, received_at desc, id desc)`.execute(
        db,
      );
    },
  },
  "0002_sender_ids": {
    async up(db: Kysely<unknown>) {
      // The sender ID registry (ADR 0019, amendment 2): an account asks for an alphanumeric
      // sender ID, the operator approves or rejects it; approved ones go to the doors' bucket.
      await sql`
        create table sender_ids (
          account_id text not null,
          sender text not null,
          status text not null default 'pending'
            check (status in ('pending', 'approved', 'rejected')),
          requested_at timestamptz not null,
          decided_at timestamptz,
          primary key (account_id, sender)
        )`.execute(db);
      await sql`create index sender_ids_pending on sender_ids (requested_at) where status = 'pending'`.execute(
        db,
      );
    },
  },
  "0003_erasure": {
    async up(db: Kysely<unknown>) {
      // Erasure of MO (ADR 0021, amendment 2): the text goes (null) and the sender's number is
      // masked, after the account's retention or on the operator's erase-number; the rest stays.
      await sql`alter table messages alter column text drop not null`.execute(db);
      await sql`alter table messages add column erased_at timestamptz`.execute(db);
      // The retention job's question, "which messages not erased yet arrived before the cutoff",
      // answered from the oldest: cheap when nothing is due.
      await sql`create index messages_to_erase on messages (received_at) where erased_at is null`.execute(
        db,
      );
    },
  },
  "0004_audit_log": {
    async up(db: Kysely<unknown>) {
      // Issue 22: who took or released a number, set its inbound URL, asked for, withdrew or
      // decided a sender ID — written by the change's own statement (db/audit.ts);
      // append-only, as pricing's audit log of the account's other changes.
      await sql`
        create table audit_log (
          id bigserial primary key,
          account_id text not null,
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
  "0005_stream_copies": {
    async up(db: Kysely<unknown>) {
      // The stream's copies of an MO (ADR 0021, amendment 4): where each is, learned where it
      // is handled anyway (a part's event, a lone MO's event, the delivery's PubAck), kept on
      // the rows written anyway, and queued in the erasure's transaction for the stream eraser,
      // which deletes each once every consumer of its subject acked past it.
      await sql`alter table parts add column stream_seq bigint`.execute(db);
      await sql`alter table messages add column stream_seqs bigint[] not null default '{}'`.execute(
        db,
      );
      await sql`
        create table stream_erasures (
          seq bigint primary key,
          queued_at timestamptz not null default now()
        )`.execute(db);
    },
  },
  "0006_part_octets": {
    async up(db: Kysely<unknown>) {
      // A part's octets and data_coding (the event's `octets`): a group's text is decoded from
      // its parts' octets joined, since a carrier may cut a part mid-character. Null on parts
      // stored before, and on those whose event came without them: joined by their text. They
      // are the text: they go wherever the text goes (the joined parts deleted on erasure).
      await sql`alter table parts add column data_coding integer, add column octets bytea`.execute(
        db,
      );
    },
  },
  "0007_published_at": {
    async up(db: Kysely<unknown>) {
      // When an account's message's InboundDelivery was stored by JetStream (its PubAck came;
      // noted with the delivery's stream copy). The sweep publishes again what an account's
      // message still lacks a while after it was stored: a publish that failed, or a process
      // that died, after the commit of a message no redelivered event brings back (one joined
      // by the sweep, or one a new message under its reference superseded). Messages stored
      // before this column were published by the run that stored them, as far as anyone knows.
      await sql`alter table messages add column published_at timestamptz`.execute(db);
      await sql`update messages set published_at = created_at where account_id is not null`.execute(
        db,
      );
      await sql`
        create index messages_unpublished on messages (created_at)
        where published_at is null and account_id is not null and text is not null`.execute(db);
    },
  },
  "0008_number_quarantine": {
    async up(db: Kysely<unknown>) {
      // When and by whom a number was last given back: another account may take it only once
      // it has rested (`NUMBER_QUARANTINE_DAYS`, domain/numbers.ts `restsUntil`). Numbers
      // released before this column rest no more.
      await sql`
        alter table numbers add column released_at timestamptz, add column released_by text`.execute(
        db,
      );
    },
  },
  "0009_take_request_key": {
    async up(db: Kysely<unknown>) {
      // The Idempotency-Key of the take that gave the account its number: a retry whose first
      // answer was lost between this service and ingress finds the number, and one key cannot
      // take two (the index; the inventory is small, its build instant). Cleared by a release.
      await sql`alter table numbers add column taken_with_key text`.execute(db);
      await sql`
        create unique index numbers_taken_with_key on numbers (account_id, taken_with_key)
        where taken_with_key is not null`.execute(db);
    },
  },
  "0010_erase_notices": {
    async up(db: Kysely<unknown>) {
      // ADR 0021: the MO erased whose `MessagesErased` is not stored in the stream yet,
      // written in the erasure's transaction and deleted once the notice is stored. A notice
      // lost to a failed publish or a crash after the commit is sent again from here (the
      // retention job's next run, an erase-number's redelivery), where `erased_at` alone would
      // never pick the message again. A row lives a moment normally: the table stays small.
      await sql`
        create table erase_notices (
          message_id text primary key,
          erased_at timestamptz not null default now()
        )`.execute(db);
    },
  },
};
