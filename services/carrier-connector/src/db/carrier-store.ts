import { type Kysely, sql } from "kysely";
import { Carrier, type CarrierConfig } from "../config.ts";
import { CONNECTOR_SCHEMA } from "./migrations.ts";
import type { ConnectorDatabase } from "./schema.ts";

/** The operator's carriers in `connector.carriers`, shared by the service, admin API and CLI. */
export function createCarrierStore(db: Kysely<ConnectorDatabase>) {
  return {
    /** Every stored carrier, by id. A row that no longer parses is reported, not dropped silently. */
    async list(): Promise<{ carriers: CarrierConfig[]; invalid: string[] }> {
      const rows = await db.selectFrom("carriers").select(["id", "config"]).orderBy("id").execute();
      const carriers: CarrierConfig[] = [];
      const invalid: string[] = [];
      for (const row of rows) {
        // Stored as JSON text in a jsonb column; a driver may hand it back as either.
        const config = typeof row.config === "string" ? JSON.parse(row.config) : row.config;
        const parsed = Carrier.safeParse(config);
        if (parsed.success) carriers.push(parsed.data);
        else invalid.push(row.id);
      }
      return { carriers, invalid };
    },

    async put(carrier: CarrierConfig): Promise<void> {
      const config = JSON.stringify(carrier);
      await db
        .insertInto("carriers")
        .values({ id: carrier.id, config })
        .onConflict((oc) => oc.column("id").doUpdateSet({ config, updated_at: sql`now()` }))
        .execute();
    },

    /** Stores these unless the table has any carrier (first start: env CARRIERS seeds it). */
    async seed(carriers: readonly CarrierConfig[]): Promise<number> {
      if (carriers.length === 0) return 0;
      return db.transaction().execute(async (tx) => {
        // One seeder at a time: two replicas starting together seed once.
        await sql`lock table ${sql.id(CONNECTOR_SCHEMA, "carriers")} in share row exclusive mode`.execute(
          tx,
        );
        const existing = await tx.selectFrom("carriers").select("id").limit(1).execute();
        if (existing.length > 0) return 0;
        await tx
          .insertInto("carriers")
          .values(carriers.map((c) => ({ id: c.id, config: JSON.stringify(c) })))
          .execute();
        return carriers.length;
      });
    },

    /** True when there was one. */
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom("carriers").where("id", "=", id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Changes when anything in the table does: a cheap check before a full reload. */
    async version(): Promise<string> {
      const row = await db
        .selectFrom("carriers")
        .select((eb) => [eb.fn.countAll<string>().as("n"), eb.fn.max("updated_at").as("at")])
        .executeTakeFirstOrThrow();
      return `${row.n}:${row.at ? new Date(row.at).toISOString() : ""}`;
    },
  };
}

export type CarrierStore = ReturnType<typeof createCarrierStore>;

/** A carrier as shown to the operator: the password is never echoed. */
export function redacted(
  carrier: CarrierConfig,
): Omit<CarrierConfig, "password"> & { password: string } {
  return { ...carrier, password: "********" };
}
