import type postgres from "postgres";
import type { StreamErasureQueue } from "../nats/stream-eraser.ts";

/**
 * The stream eraser's queue as a table of the service's schema, `<schema>.stream_erasures`
 * (`seq bigint primary key`), filled by the service's erasures in their own transactions
 * (ADR 0021, the stream's copies). The event store's and the inbound service's.
 */
export function streamErasureTable(sql: postgres.Sql, schema: string): StreamErasureQueue {
  const table = sql(`${schema}.stream_erasures`);
  return {
    async queued(limit) {
      const rows = await sql<Array<{ seq: string }>>`
        select seq from ${table} order by seq limit ${limit}`;
      return rows.map((row) => Number(row.seq));
    },
    async drop(seqs) {
      if (seqs.length === 0) return;
      await sql`delete from ${table} where seq = any(${seqs as number[]}::bigint[])`;
    },
    async forgetBelow(firstSeq) {
      await sql`delete from ${table} where seq < ${firstSeq}`;
    },
  };
}
