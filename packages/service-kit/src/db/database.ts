import { Kysely } from "kysely";
import { PostgresJSDialect } from "kysely-postgres-js";
import postgres from "postgres";

export interface Database<DB> {
  db: Kysely<DB>;
  /** The raw client, for what kysely does not express well (COPY, multi-row unnest). */
  sql: postgres.Sql;
  close(): Promise<void>;
}

/**
 * A pool whose connections see the service's own schema first: each service owns its
 * tables (design.md), so they live in a schema named after it.
 */
export function openDatabase<DB>(
  url: string,
  schema: string,
  options: { max?: number; prepare?: boolean } = {},
): Database<DB> {
  const sql = postgres(url, {
    max: options.max ?? 10,
    prepare: options.prepare ?? true,
    // postgres.js counts failed connects across the pool and waits up to 20 s before the
    // next (3^n / 100 s): after a few seconds of a restarting server, every query then waits
    // that long. Reconnect within a second or two instead; a server that is up again is
    // used at once (`pnpm drill`, Postgres restart).
    backoff: (retries: number) => Math.min(0.1 * 2 ** retries, 2) * (0.75 + Math.random() / 2),
    onnotice: () => undefined,
    connection: { search_path: `${schema},public`, application_name: schema },
  });
  const db = new Kysely<DB>({ dialect: new PostgresJSDialect({ postgres: sql }) });
  return {
    db,
    sql,
    async close() {
      await db.destroy();
    },
  };
}
