import type postgres from "postgres";

const STATUSES = [
  "delivered",
  "delivered",
  "delivered",
  "undelivered",
  "failed",
  "expired",
  "sent",
];

/**
 * Test data only: `count` projection rows of one account straight into the event store's
 * table (what its fold would have written), spread over the last `days` days. The console
 * never writes there; tests use this to measure the log at a realistic size.
 */
export async function seedProjection(
  sql: postgres.Sql,
  accountId: string,
  count: number,
  days = 30,
): Promise<string[]> {
  const now = Date.now();
  const ids: string[] = [];
  const rows = Array.from({ length: count }, (_, i) => {
    const created = new Date(now - Math.floor((i / count) * days * 86_400_000) - 1_000);
    const id = `msg_${crockford(created.getTime(), 10)}${crockford(i, 16)}`;
    ids.push(id);
    const status = STATUSES[i % STATUSES.length] ?? "delivered";
    return {
      message_id: id,
      account_id: accountId,
      accepted: true,
      to_number: `+3725${String(1_000_000 + (i % 1000)).slice(1)}`,
      from_number: "Seed",
      parts: 1 + (i % 2),
      cost: 420 * (1 + (i % 2)),
      currency: "EUR",
      created_at: created,
      status,
      queued_at: created,
      updated_at: created,
    };
  });
  for (let i = 0; i < rows.length; i += 1_000) {
    await sql`insert into event_store.messages ${sql(rows.slice(i, i + 1_000))}`;
  }
  return ids;
}

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID-shaped field: `n` in Crockford base32, `width` characters. */
function crockford(n: number, width: number): string {
  let out = "";
  let rest = n;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}
