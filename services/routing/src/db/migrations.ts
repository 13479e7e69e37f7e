import type { openServiceDatabase } from "@smsgw/service-kit";
import { sql } from "kysely";

type Migrations = Parameters<typeof openServiceDatabase>[2];

export const ROUTING_SCHEMA = "routing";

/**
 * Schema `routing` (ADR 0027): one row per
 * scheduled message (`sendAt` in the future) not routed yet. A row is inserted when the
 * accepted event is read (then the event is acked: nothing waits on a consumer) and marked
 * routed once its submit order (or failure) is stored; marked rows are deleted a day later
 * (until then a late redelivery of the accepted event finds its row and is not routed twice).
 * Only scheduled messages live here; immediate messages never touch it.
 */
export const migrations: Migrations = {
  "0001_scheduled": {
    async up(db) {
      await db.schema
        .createTable("scheduled")
        // One row per message: a redelivered or repeated accepted event is stored once.
        .addColumn("message_id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull())
        // The MessageAccepted as read (content, parts, test flag, trace): routed from here.
        .addColumn("event", "jsonb", (c) => c.notNull())
        .addColumn("send_at", "timestamptz", (c) => c.notNull())
        // When a replica may take it: send_at, then, while one routes it, the end of its lease.
        .addColumn("due_at", "timestamptz", (c) => c.notNull())
        // Times it was taken: more than one means a replica took it and did not finish.
        .addColumn("claims", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "timestamptz", (c) => c.notNull())
        // Set when its order (or failure) is stored; the text is dropped then (ADR 0021).
        .addColumn("routed_at", "timestamptz")
        .execute();
      await sql`create index scheduled_due on scheduled (due_at) where routed_at is null`.execute(
        db,
      );
      await sql`create index scheduled_routed on scheduled (routed_at) where routed_at is not null`.execute(
        db,
      );
      await db.schema
        .createIndex("scheduled_account")
        .on("scheduled")
        .column("account_id")
        .execute();
    },
  },
  "0002_scheduled_cancel": {
    async up(db) {
      // When the account canceled it (ADR 0030): the timer then publishes its failure instead
      // of routing it.
      await db.schema
        .alterTable("scheduled")
        .addColumn("cancel_requested_at", "timestamptz")
        .execute();
    },
  },
};
