import { type Kysely, sql } from "kysely";
import { type Migration, Migrator } from "kysely/migration";

/**
 * Runs a service's migrations into its own schema. Migrations are code (an object
 * of name -> {up, down}), applied in name order; kysely's Migrator takes an advisory
 * lock, so replicas starting together are safe.
 */
export async function migrateSchema(
  db: Kysely<unknown>,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (error) {
    // Two replicas creating the schema at once: one wins, the other sees a duplicate.
    if (!/already exists|duplicate key/i.test(String(error))) throw error;
  }
  const migrator = new Migrator({
    db: db.withSchema(schema),
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    throw new Error(`migrations of schema "${schema}" failed at ${failed?.migrationName ?? "?"}`, {
      cause: error,
    });
  }
}
