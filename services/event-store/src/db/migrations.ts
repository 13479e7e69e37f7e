import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

/** Schema `event_store`, applied by `openServiceDatabase` in name order. */
export const migrations: Record<string, Migration> = {
  "0001_events_messages_outbox": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("events")
        .addColumn("seq", "bigserial", (c) => c.notNull())
        .addColumn("event_id", "text", (c) => c.primaryKey())
        .addColumn("message_id", "text", (c) => c.notNull())
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("occurred_at", "timestamptz", (c) => c.notNull())
        .addColumn("recorded_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("data", "jsonb", (c) => c.notNull())
        .addColumn("trace", "jsonb")
        .execute();
      await db.schema
        .createIndex("events_message_seq")
        .on("events")
        .columns(["message_id", "seq"])
        .execute();

      await db.schema
        .createTable("messages")
        .addColumn("message_id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("accepted", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("to_number", "text")
        .addColumn("from_number", "text")
        .addColumn("parts", "integer")
        .addColumn("cost", "bigint")
        .addColumn("currency", "text")
        .addColumn("reference", "text")
        .addColumn("callback_url", "text")
        .addColumn("created_at", "timestamptz")
        .addColumn("submitted_at", "timestamptz")
        .addColumn("failure_at", "timestamptz")
        .addColumn("failure_code", "text")
        .addColumn("part_outcomes", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn("status", "text")
        .addColumn("status_seq", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("error_code", "text")
        .addColumn("queued_at", "timestamptz")
        .addColumn("sent_at", "timestamptz")
        .addColumn("delivered_at", "timestamptz")
        .addColumn("undelivered_at", "timestamptz")
        .addColumn("expired_at", "timestamptz")
        .addColumn("failed_at", "timestamptz")
        .addColumn("updated_at", "timestamptz")
        // Room in each page lets an update stay on its page (HOT): the fold rewrites rows often.
        .modifyEnd(sql`with (fillfactor = 70)`)
        .execute();

      await db.schema
        .createTable("outbox")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("message_id", "text", (c) => c.notNull())
        .addColumn("payload", "jsonb", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex("outbox_created_at").on("outbox").column("created_at").execute();
    },
  },
  "0002_validity_expiry": {
    async up(db) {
      await db.schema
        .alterTable("messages")
        .addColumn("validity_expired_at", "timestamptz")
        .execute();
    },
  },
  "0003_trail_order": {
    async up(db) {
      // The trail is read oldest first by when each event occurred (@smsgw/message-read-model, reader.ts).
      await db.schema
        .createIndex("events_message_occurred")
        .on("events")
        .columns(["message_id", "occurred_at", "seq"])
        .execute();
    },
  },
  "0004_account_log": {
    async up(db) {
      // The console's message log: an account's messages newest first on a cursor
      // (@smsgw/message-read-model, account-log.ts), and the same with a destination filter.
      await sql`create index messages_account_created on messages
        (account_id, created_at desc, message_id desc) where status is not null`.execute(db);
      await sql`create index messages_account_to on messages
        (account_id, to_number, created_at desc) where status is not null`.execute(db);
    },
  },
  "0005_optimistic_fold_masks_lossless": {
    async up(db) {
      // ADR 0009: the fold checks a revision instead of locking rows; the report mask rides
      // on acceptance; envelope fields this version does not know are kept in `extra`.
      await sql`alter table messages
        add column revision integer not null default 0,
        add column callback_statuses text[]`.execute(db);
      await sql`alter table events add column extra jsonb`.execute(db);
    },
  },
  "0006_fewer_index_writes": {
    async up(db) {
      // Every event wrote three index entries; the trail reads by (message_id, occurred_at,
      // seq) and nothing reads by (message_id, seq).
      await sql`drop index events_message_seq`.execute(db);
      // A projection's status moves two or three times per message. With the log's indexes
      // keyed on `status is not null` every move wrote a new entry into each of them; keyed on
      // `accepted` (set once, true exactly when a status exists: nothing has a status before
      // its MessageAccepted), the moves touch no indexed column and can be HOT updates, for
      // which the pages keep room (fillfactor). Rebuilding the two indexes holds a write lock
      // on the table for the time of the build.
      await sql`drop index messages_account_created`.execute(db);
      await sql`drop index messages_account_to`.execute(db);
      await sql`create index messages_account_created on messages
        (account_id, created_at desc, message_id desc) where accepted`.execute(db);
      await sql`create index messages_account_to on messages
        (account_id, to_number, created_at desc) where accepted`.execute(db);
      await sql`alter table messages set (fillfactor = 70)`.execute(db);
    },
  },
  "0007_webhook_attempt_batches": {
    async up(db) {
      // Webhook attempts, two or more per message, are logged a batch to a row (ADR 0009):
      // each as published, in `events`, found by the GIN index over the batch's messages.
      // `seq` comes from the events' sequence, so one order runs across the whole trail.
      await sql`create table webhook_attempts (
        seq bigint not null default nextval('events_seq_seq'),
        batch_id text primary key,
        message_ids text[] not null,
        recorded_at timestamptz not null default now(),
        events jsonb not null
      )`.execute(db);
      await sql`create index webhook_attempts_messages on webhook_attempts
        using gin (message_ids)`.execute(db);
    },
  },
  "0008_smpp_receipt": {
    async up(db) {
      // Messages submitted over SMPP with registered_delivery: which final statuses go back
      // to the account's binds as deliver_sm (api.md section 6). Null for every other message.
      await sql`alter table messages add column smpp_receipt text`.execute(db);
    },
  },
  "0009_account_sender_log": {
    async up(db) {
      // GET /v1/messages?from= and its export (ADR 0016): an account's messages from one
      // sender, newest first on the (created_at, message_id) cursor; without it a rare sender
      // reads the account's whole history. One more index entry per accepted message, written
      // once: no column here moves with the status, so status moves stay HOT updates. The
      // status filter has no index on purpose (it would make every status move a non-HOT
      // update that writes into every index). The build holds a write lock on the table:
      // on a large one, create it `concurrently` by hand first (ADR 0016), and this is a no-op.
      await sql`create index if not exists messages_account_from on messages
        (account_id, from_number, created_at desc, message_id desc) where accepted`.execute(db);
    },
  },
  "0010_smpp_valid_until": {
    async up(db) {
      // The validity of a message that wants SMPP receipts rides on its status changes, so
      // smpp-server keeps an unsent receipt until then (api.md section 6). Null for every
      // other message (a null costs no bytes); set once at acceptance and in no index, so
      // status moves stay HOT updates. Adding a nullable column without a default is instant.
      await sql`alter table messages add column smpp_valid_until timestamptz`.execute(db);
    },
  },
  "0011_erasure": {
    async up(db) {
      // ADR 0021: when a message's text and number were erased (redact or retention).
      await sql`alter table messages add column redacted_at timestamptz`.execute(db);
      // The retention job's way in: per account, its messages not yet erased, oldest first.
      // One more index entry per accepted message, written once (no column here moves with
      // the status, so status moves stay HOT updates); it leaves the index when erased.
      await sql`create index if not exists messages_to_erase on messages
        (account_id, created_at) where accepted and redacted_at is null`.execute(db);
      // The operator's per-account retention (`bin/gw messages retention`); absent = the
      // default (RETENTION_DAYS).
      await sql`create table retention_overrides (
        account_id text primary key,
        days integer not null check (days >= 1),
        updated_at timestamptz not null default now()
      )`.execute(db);
    },
  },
  "0012_stream_erasure": {
    async up(db) {
      // ADR 0021, the stream's copies: where the stream message that brought each event is
      // (the first delivery that logged it), so erasing the message can delete that copy. A
      // nullable column without a default: instant, and no index (read by message id).
      await sql`alter table events add column stream_seq bigint`.execute(db);
      // Where the event store's own status-change envelopes went, a row per envelope with
      // the messages in it (their changes carry the number): erasure finds them by message.
      await sql`create table status_publishes (
        seq bigint primary key,
        message_ids text[] not null,
        published_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index status_publishes_messages on status_publishes
        using gin (message_ids)`.execute(db);
      // The stream messages holding an erased message's content, until each is deleted (once
      // every consumer of its subject acked past it) or gone from the stream by age.
      await sql`create table stream_erasures (
        seq bigint primary key,
        queued_at timestamptz not null default now()
      )`.execute(db);
      // Messages erased in the last minutes: a status envelope another replica published
      // before the erasure and recorded after it is queued by the eraser's next run.
      await sql`create table erased_recently (
        message_id text primary key,
        until timestamptz not null
      )`.execute(db);
    },
  },
  "0013_send_at_valid_until": {
    async up(db: Kysely<unknown>) {
      // The message's schedule, as `GET /v1/messages/{id}` shows it (as the 202 did): when it
      // is to be sent and until when it may be. Every message's, not only an SMPP sender's
      // (smpp_valid_until, 0010, stays for the rows folded before: read when this is null).
      await sql`alter table messages add column send_at timestamptz`.execute(db);
      await sql`alter table messages add column valid_until timestamptz`.execute(db);
    },
  },
  "0014_erase_notices": {
    async up(db: Kysely<unknown>) {
      // ADR 0021: the messages erased whose `MessagesErased` is not stored in the stream yet,
      // written in the erasure's transaction and deleted once the notice is stored. A notice
      // lost to a failed publish or a crash after the commit is sent again from here (the
      // retention job's next run, a repeated redact), where `redacted_at` alone would never
      // pick the message again. A row lives a moment normally: the table stays small.
      await sql`create table erase_notices (
        message_id text primary key,
        erased_at timestamptz not null default now()
      )`.execute(db);
    },
  },
};
