import { createSecretBox, isSealed, type SecretBox } from "@smsgw/service-kit";
import { type Kysely, sql } from "kysely";
import { Carrier, type CarrierConfig } from "../config.ts";
import { CONNECTOR_SCHEMA } from "./migrations.ts";
import type { ConnectorDatabase } from "./schema.ts";

/**
 * The operator's carriers in `connector.carriers`, shared by the service, admin API and CLI.
 * With a secret box (CARRIER_SECRETS_KEY) each password is stored sealed and opened on read;
 * without one it is stored as given.
 */
export function createCarrierStore(db: Kysely<ConnectorDatabase>, box?: SecretBox) {
  /** The row's JSON: the password sealed when there is a box. */
  const stored = (carrier: CarrierConfig) =>
    JSON.stringify(box ? { ...carrier, password: box.seal(carrier.password) } : carrier);
  /** The carrier of a row's JSON, its password opened; undefined when it cannot be read. */
  const readable = (config: unknown): CarrierConfig | undefined => {
    const row = config as { password?: unknown } | null;
    if (typeof row?.password === "string" && isSealed(row.password)) {
      if (!box) return undefined;
      try {
        return Carrier.safeParse({ ...row, password: box.open(row.password) }).data;
      } catch {
        return undefined;
      }
    }
    return Carrier.safeParse(config).data;
  };
  return {
    /** Every stored carrier, by id. A row that no longer parses is reported, not dropped silently. */
    async list(): Promise<{ carriers: CarrierConfig[]; invalid: string[] }> {
      const rows = await db.selectFrom("carriers").select(["id", "config"]).orderBy("id").execute();
      const carriers: CarrierConfig[] = [];
      const invalid: string[] = [];
      for (const row of rows) {
        // Stored as JSON text in a jsonb column; a driver may hand it back as either.
        const config = typeof row.config === "string" ? JSON.parse(row.config) : row.config;
        const carrier = readable(config);
        if (carrier) carriers.push(carrier);
        else invalid.push(row.id);
      }
      return { carriers, invalid };
    },

    async put(carrier: CarrierConfig): Promise<void> {
      const config = stored(carrier);
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
          .values(carriers.map((c) => ({ id: c.id, config: stored(c) })))
          .execute();
        return carriers.length;
      });
    },

    /**
     * Seals again every password not sealed under the box's current key (stored in clear
     * before a key was set, or under the previous key): returns how many. Nothing without a box.
     */
    async sealAll(): Promise<number> {
      if (!box) return 0;
      const rows = await db.selectFrom("carriers").select(["id", "config"]).execute();
      let sealed = 0;
      for (const row of rows) {
        const config = typeof row.config === "string" ? JSON.parse(row.config) : row.config;
        const password = (config as { password?: unknown } | null)?.password;
        if (typeof password === "string" && box.isCurrent(password)) continue;
        const carrier = readable(config);
        if (!carrier) continue; // unreadable: left for the operator (reported by list)
        await db
          .updateTable("carriers")
          .set({ config: stored(carrier) })
          .where("id", "=", row.id)
          .execute();
        sealed += 1;
      }
      return sealed;
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

/** The box of CARRIER_SECRETS_KEY (and the previous key, during a rotation); none without it. */
export function carrierSecretBox(config: {
  CARRIER_SECRETS_KEY?: Buffer | undefined;
  CARRIER_SECRETS_KEY_PREVIOUS?: Buffer | undefined;
}): SecretBox | undefined {
  return config.CARRIER_SECRETS_KEY
    ? createSecretBox(config.CARRIER_SECRETS_KEY, config.CARRIER_SECRETS_KEY_PREVIOUS)
    : undefined;
}
