import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

export const CONNECTOR_SCHEMA = "connector";

export const migrations: Record<string, Migration> = {
  "0001_submissions_and_parts": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("submissions")
        .addColumn("message_id", "text", (c) => c.notNull())
        .addColumn("attempt", "integer", (c) => c.notNull())
        .addColumn("carrier_id", "text", (c) => c.notNull())
        .addColumn("claimed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint("submissions_pkey", ["message_id", "attempt"])
        .execute();
      await db.schema
        .createTable("parts")
        .addColumn("carrier_id", "text", (c) => c.notNull())
        .addColumn("carrier_message_id", "text", (c) => c.notNull())
        .addColumn("message_id", "text", (c) => c.notNull())
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("part", "integer", (c) => c.notNull())
        .addColumn("total_parts", "integer", (c) => c.notNull())
        .addColumn("traceparent", "text")
        .addColumn("tracestate", "text")
        .addColumn("submitted_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint("parts_pkey", ["carrier_id", "carrier_message_id"])
        .execute();
    },
  },
  "0002_validity": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("parts")
        .addColumn("valid_until", "timestamptz", (c) =>
          c.notNull().defaultTo(sql`now() + interval '2 days'`),
        )
        .addColumn("final", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("covers", "integer", (c) => c.notNull().defaultTo(1))
        .execute();
      // The sweep reads only the parts still waiting, oldest validity first.
      await db.schema
        .createIndex("parts_waiting_valid_until")
        .on("parts")
        .column("valid_until")
        .where(sql.ref("final"), "=", false)
        .execute();
    },
  },
  "0003_carriers": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("carriers")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("config", "jsonb", (c) => c.notNull())
        .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  "0004_outcomes": {
    async up(db: Kysely<unknown>) {
      // The SubmitFailed a claim ended in, so a redelivered event republishes it (ADR 0008).
      await db.schema.alterTable("submissions").addColumn("failure", "jsonb").execute();
      // The id as the carrier wrote it, so a reconciled MessageSubmitted says what the first did.
      await db.schema.alterTable("parts").addColumn("raw_id", "text").execute();
      // Reconciliation and the expiry sweep find a message's parts by its id.
      await db.schema.createIndex("parts_message_id").on("parts").column("message_id").execute();
    },
  },
  "0005_claimed_by": {
    async up(db: Kysely<unknown>) {
      // Which replica claimed: a claim whose replica is no longer alive has no submit still
      // running, so reconciliation decides it at once instead of after RECONCILE_AFTER_MS.
      await db.schema.alterTable("submissions").addColumn("claimed_by", "text").execute();
    },
  },
  "0006_score_key": {
    async up(db: Kysely<unknown>) {
      // A receipt counts for routing's scores under the key its order was routed with
      // (ADR 0009); it may arrive on another replica, so the key is stored with the part.
      await db.schema.alterTable("parts").addColumn("score_key", "text").execute();
    },
  },
  "0007_reused_carrier_ids": {
    async up(db: Kysely<unknown>) {
      // Carriers hand ids out again (after a restart, when a counter wraps): the part that
      // held an id before stays beside the new holder, so the new one's receipt is not taken
      // for the old one's and the old one still expires if its receipt never came. Lookups by
      // (carrier_id, carrier_message_id) still use this key's index.
      await db.schema.alterTable("parts").dropConstraint("parts_pkey").execute();
      await db.schema
        .alterTable("parts")
        .addPrimaryKeyConstraint("parts_pkey", [
          "carrier_id",
          "carrier_message_id",
          "message_id",
          "part",
        ])
        .execute();
    },
  },
  "0008_claim_token": {
    async up(db: Kysely<unknown>) {
      // The claiming statement's token: a statement whose answer was lost (the database
      // restarting as it committed) gives back the claims it may have made, and only those.
      await db.schema.alterTable("submissions").addColumn("claim_token", "text").execute();
    },
  },
};
