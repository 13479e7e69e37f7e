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
  options: { max?: number } = {},
): Database<DB> {
  const sql = postgres(url, {
    max: options.max ?? 10,
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
