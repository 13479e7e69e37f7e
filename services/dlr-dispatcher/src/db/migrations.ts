import type { openServiceDatabase } from "@smsgw/service-kit";
import { isolationKey } from "../domain/endpoint.ts";

type Migrations = Parameters<typeof openServiceDatabase>[2];

/**
 * Schema `dispatcher`: one row per report still to be delivered. A row is inserted when
 * the status change is taken from JetStream (then the change is acked) and deleted when
 * the report is delivered or given up; the attempts themselves are WebhookAttempted
 * events in the message's trail. Only pending reports live here, so the table is as big
 * as the backlog, and a restart resumes from it.
 */
export const migrations: Migrations = {
  "0001_jobs": {
    async up(db) {
      await db.schema
        .createTable("jobs")
        .addColumn("message_id", "text", (c) => c.notNull())
        .addColumn("sequence", "integer", (c) => c.notNull())
        .addColumn("account_id", "text", (c) => c.notNull())
        // The unit of isolation and back-off: scheme://host:port of the callback URL, its
        // endpoint (with the path) since 0003.
        .addColumn("origin", "text", (c) => c.notNull())
        // The MessageStatusChanged as consumed: the report body and the callback URL.
        .addColumn("change", "jsonb", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        // When the next attempt may start; while one runs, the end of its lease.
        .addColumn("due_at", "timestamptz", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull())
        .addPrimaryKeyConstraint("jobs_pk", ["message_id", "sequence"])
        .execute();
      await db.schema.createIndex("jobs_due").on("jobs").column("due_at").execute();
      await db.schema
        .createIndex("jobs_origin_due")
        .on("jobs")
        .columns(["origin", "due_at"])
        .execute();
    },
  },
  "0002_erased_messages": {
    // Messages erased recently (ADR 0021): a report of theirs recorded after the erasure
    // notice is masked (or, an inbound delivery, dropped) by the insert itself. Kept for the
    // retry window, then deleted by the next erasure.
    async up(db) {
      await db.schema
        .createTable("erased_messages")
        .addColumn("message_id", "text", (c) => c.primaryKey())
        .addColumn("erased_at", "timestamptz", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("erased_messages_at")
        .on("erased_messages")
        .column("erased_at")
        .execute();
    },
  },
  "0003_isolated_per_endpoint": {
    // The isolation key in `origin` becomes the endpoint (scheme, host, port and path; no
    // query string) instead of scheme, host and port: one account's broken hook on a shared
    // host no longer holds another's. The waiting rows are rekeyed from their own URL (all of a
    // message's rows go to its one callback URL), one update per endpoint.
    async up(db) {
      const rows = (await db
        .selectFrom("jobs")
        .select(["message_id", "change"])
        .distinct()
        .execute()) as Array<{
        message_id: string;
        change: { callbackUrl?: string; url?: string };
      }>;
      const byKey = new Map<string, string[]>();
      for (const row of rows) {
        const key = isolationKey(row.change.callbackUrl ?? row.change.url ?? "");
        byKey.set(key, [...(byKey.get(key) ?? []), row.message_id]);
      }
      for (const [key, ids] of byKey) {
        await db.updateTable("jobs").set({ origin: key }).where("message_id", "in", ids).execute();
      }
    },
  },
};
