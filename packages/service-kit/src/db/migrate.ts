import { type Kysely, sql } from "kysely";
import { type Migration, Migrator } from "kysely/migration";

/** MIGRATE=only: the migrations are applied and the process is done (runMain exits 0). */
export class MigrationsApplied extends Error {
  override name = "MigrationsApplied";
  readonly schema: string;
  constructor(schema: string) {
    super(`migrations of schema "${schema}" applied (MIGRATE=only)`);
    this.schema = schema;
  }
}

export class MigrationsMissing extends Error {
  override name = "MigrationsMissing";
}

const migrator = (db: Kysely<unknown>, schema: string, migrations: Record<string, Migration>) =>
  new Migrator({
    db: db.withSchema(schema),
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });

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
  // A role of its own (Kubernetes: one per service, ADR 0014) owns a schema created for it and
  // has no right to create schemas: look before creating (`create schema if not exists` checks
  // that right first).
  const found = await sql<{
    one: number;
  }>`select 1 as one from pg_namespace where nspname = ${schema}`.execute(db);
  if (found.rows.length === 0) {
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    } catch (error) {
      // Two replicas creating the schema at once: one wins, the other sees a duplicate.
      if (!/already exists|duplicate key/i.test(String(error))) throw error;
    }
  }
  const { error, results } = await migrator(db, schema, migrations).migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    throw new Error(`migrations of schema "${schema}" failed at ${failed?.migrationName ?? "?"}`, {
      cause: error,
    });
  }
}

/** The service's migrations not yet applied to its schema (all of them before the first). */
export async function pendingMigrations(
  db: Kysely<unknown>,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  try {
    const applied = await migrator(db, schema, migrations).getMigrations();
    return applied.filter((m) => m.executedAt === undefined).map((m) => m.name);
  } catch (error) {
    // No schema or migration table yet: nothing is applied.
    if (/does not exist/i.test(String(error))) return Object.keys(migrations).sort();
    throw error;
  }
}

/**
 * MIGRATE=false: the schema owner applies the migrations (Kubernetes: each pod's init
 * container); the service waits until every one of its migrations is there, so it never runs
 * against an older schema. A newer schema (a rollback of the code) is fine: migrations are
 * additive. Fails after `timeoutMs`, naming what is missing.
 */
export async function waitForMigrations(
  db: Kysely<unknown>,
  schema: string,
  migrations: Record<string, Migration>,
  timeoutMs: number,
  pollMs = 1_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await pendingMigrations(db, schema, migrations);
    if (pending.length === 0) return;
    if (Date.now() >= deadline) {
      throw new MigrationsMissing(
        `schema "${schema}" lacks migrations ${pending.join(", ")} after ${timeoutMs} ms ` +
          "(MIGRATE=false: they are applied by the init container `migrate`, MIGRATE=only)",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
