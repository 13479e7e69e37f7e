import type postgres from "postgres";

/**
 * Of these message ids, those the event store holds as accepted: a MessageAccepted folded
 * into its projection. A copy stored after its `publishBy` is logged but never folded (ADR
 * 0022), so it is not among them. Pricing's sweep settles charges by this (ADR 0024); the
 * answer is final only for messages whose every valid copy the event store has read.
 */
export async function acceptedAmong(
  sql: postgres.Sql,
  messageIds: readonly string[],
): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const rows = await sql<{ message_id: string }[]>`
    select message_id from event_store.messages
    where message_id = any(${[...messageIds]}::text[]) and accepted`;
  return new Set(rows.map((row) => row.message_id));
}
