import type postgres from "postgres";

/**
 * Every table of every schema of the test database (the system's left out) whose rows
 * contain `needle` anywhere: each row cast to text, so every column, JSON included, is
 * searched. For erasure tests (ADR 0021): after it, an erased text or number is in none.
 * Returns `schema.table` names; slow on big tables, meant for a test's own database.
 */
export async function tablesContaining(sql: postgres.Sql, needle: string): Promise<string[]> {
  const tables = await sql<Array<{ table_schema: string; table_name: string }>>`
    select table_schema, table_name from information_schema.tables
    where table_type = 'BASE TABLE'
      and table_schema not in ('pg_catalog', 'information_schema')
      and table_schema not like 'pg_toast%'
    order by 1, 2`;
  const found: string[] = [];
  for (const { table_schema, table_name } of tables) {
    const table = sql(`${table_schema}.${table_name}`);
    const [hit] = await sql`
      select 1 from ${table} t where strpos(t::text, ${needle}) > 0 limit 1`;
    if (hit) found.push(`${table_schema}.${table_name}`);
  }
  return found;
}
