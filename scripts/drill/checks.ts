import postgres from "postgres";

export interface DrillCheck {
  accepted: number;
  finalByStatus: Record<string, number>;
  /** Accepted ("success") messages with no final status: must be 0. */
  lost: number;
  /** Messages with more than one charge: must be 0. */
  doubleCharged: number;
  /** failed messages not refunded exactly once. */
  refundProblems: number;
  /** Charges (in the whole run) of messages never accepted, and how many were refunded. */
  chargedNotAccepted: number;
  chargedNotAcceptedRefunded: number;
  /** (message, part) submitted to a carrier more than once. */
  doubleSubmitted: number;
  /** Accepted messages whose final webhook never arrived. */
  webhooksMissing: number;
}

/** Reads the owners' tables after a drill and counts what the invariants forbid. */
export async function checkInvariants(
  databaseUrl: string,
  accepted: readonly string[],
  finalWebhooks: ReadonlySet<string>,
): Promise<DrillCheck> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const ids = [...accepted];
    const statuses = await sql<{ status: string | null; n: number }[]>`
      select status, count(*)::int as n from event_store.messages
      where message_id = any(${ids}) group by status`;
    const finalByStatus: Record<string, number> = {};
    let final = 0;
    for (const { status, n } of statuses) {
      finalByStatus[status ?? "unknown"] = n;
      if (status && ["delivered", "undelivered", "expired", "failed"].includes(status)) final += n;
    }
    const charges = await sql<{ message_id: string; n: number }[]>`
      select message_id, count(*)::int as n from pricing.ledger
      where kind = 'charge' and message_id is not null group by message_id`;
    // Judged by the event store, not by the client: a request cut off at the end of the
    // load may have been accepted without its answer reaching the load generator.
    const storeAccepted = await sql<{ message_id: string }[]>`
      select message_id from event_store.messages where accepted`;
    const acceptedSet = new Set(storeAccepted.map((r) => r.message_id));
    const notAccepted = charges
      .filter((c) => !acceptedSet.has(c.message_id))
      .map((c) => c.message_id);
    const refunds = await sql<{ message_id: string; n: number }[]>`
      select message_id, count(*)::int as n from pricing.ledger
      where kind = 'refund' and message_id is not null group by message_id`;
    const refundCount = new Map(refunds.map((r) => [r.message_id, r.n]));
    const failed = await sql<{ message_id: string }[]>`
      select message_id from event_store.messages where status = 'failed' and message_id = any(${ids})`;
    const doubles = await sql<{ n: number }[]>`
      select count(*)::int as n from (
        select message_id, part from connector.parts group by message_id, part having count(*) > 1) d`;
    return {
      accepted: ids.length,
      finalByStatus,
      lost: ids.length - final,
      doubleCharged: charges.filter((c) => c.n > 1).length,
      refundProblems: failed.filter((f) => refundCount.get(f.message_id) !== 1).length,
      chargedNotAccepted: notAccepted.length,
      chargedNotAcceptedRefunded: notAccepted.filter((id) => refundCount.get(id) === 1).length,
      doubleSubmitted: doubles[0]?.n ?? 0,
      webhooksMissing: ids.filter((id) => !finalWebhooks.has(id)).length,
    };
  } finally {
    await sql.end();
  }
}

/** How many rows of `inbound.messages` hold each of these texts (the MO traffic's, unique). */
export async function storedInboundTexts(
  databaseUrl: string,
  texts: readonly string[],
): Promise<Map<string, number>> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ text: string; n: number }[]>`
      select text, count(*)::int as n from inbound.messages
      where text = any(${texts as string[]}) group by text`;
    return new Map(rows.map((r) => [r.text, r.n]));
  } finally {
    await sql.end();
  }
}
