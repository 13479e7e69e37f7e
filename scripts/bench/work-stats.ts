import postgres from "postgres";

/**
 * Where the work per message goes, read before and after a step: each consumer's batches
 * (from the services' /metrics) and the bench database's transactions and row operations
 * (pg_stat_database). Batch size and round trips per message are what the CPU per message
 * follows: every statement, publish and ack is a socket write on both ends.
 */
export interface WorkSnapshot {
  batches: Map<string, { sum: number; count: number }>;
  postgres: { commits: number; inserted: number; updated: number; deleted: number };
}

export interface WorkPerMessage {
  /** Mean messages per handler batch, per durable consumer. */
  meanBatch: Record<string, number>;
  postgresCommits: number;
  postgresRowOps: number;
}

const BATCH_LINE = /^smsgw_consumer_batch_size_messages_(sum|count)\{consumer="([^"]+)"\} (\S+)$/;

export async function takeWorkSnapshot(
  healthPorts: readonly number[],
  databaseUrl: string,
  database: string,
): Promise<WorkSnapshot> {
  const batches = new Map<string, { sum: number; count: number }>();
  for (const port of healthPorts) {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`)
      .then((r) => r.text())
      .catch(() => "");
    for (const line of text.split("\n")) {
      const m = BATCH_LINE.exec(line);
      if (!m) continue;
      const [, kind, consumer = "", value] = m;
      const entry = batches.get(consumer) ?? { sum: 0, count: 0 };
      entry[kind as "sum" | "count"] += Number(value);
      batches.set(consumer, entry);
    }
  }
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<
      Array<{ commits: string; inserted: string; updated: string; deleted: string }>
    >`select xact_commit as commits, tup_inserted as inserted, tup_updated as updated,
        tup_deleted as deleted
      from pg_stat_database where datname = ${database}`;
    return {
      batches,
      postgres: {
        commits: Number(row?.commits ?? 0),
        inserted: Number(row?.inserted ?? 0),
        updated: Number(row?.updated ?? 0),
        deleted: Number(row?.deleted ?? 0),
      },
    };
  } finally {
    await sql.end();
  }
}

export function workPerMessage(
  before: WorkSnapshot,
  after: WorkSnapshot,
  messages: number,
): WorkPerMessage {
  const meanBatch: Record<string, number> = {};
  for (const [consumer, end] of after.batches) {
    const start = before.batches.get(consumer) ?? { sum: 0, count: 0 };
    const count = end.count - start.count;
    if (count > 0) meanBatch[consumer] = (end.sum - start.sum) / count;
  }
  const per = (value: number) => (messages > 0 ? value / messages : Number.NaN);
  const pg = (k: keyof WorkSnapshot["postgres"]) => after.postgres[k] - before.postgres[k];
  return {
    meanBatch,
    postgresCommits: per(pg("commits")),
    postgresRowOps: per(pg("inserted") + pg("updated") + pg("deleted")),
  };
}
