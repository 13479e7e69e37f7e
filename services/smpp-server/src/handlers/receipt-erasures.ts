import { erasedStatusChange, type MessagesErased } from "@smsgw/contracts";
import type { Delivery } from "@smsgw/service-kit";
import type postgres from "postgres";

export const SMPP_ERASURES_DURABLE = "smpp-server-erasures";

/**
 * Masks the number in the receipts still owed for these erased messages (ADR 0021), as the
 * event store now keeps it: the deliver_sm then carries the masked number. An erased inbound
 * message still owed to a bind (its `in_` id, ADR 0021 amendment 2) is dropped: its text and
 * sender are gone from the inbound service, and there is nothing left to deliver.
 */
export async function eraseReceiptNumbers(
  sql: postgres.Sql,
  messageIds: readonly string[],
): Promise<number> {
  if (messageIds.length === 0) return 0;
  const ids = [...messageIds];
  const dropped = await sql`
    delete from smpp_server.receipts
    where message_id = any(${ids}::text[]) and change->>'type' = 'InboundDelivery'`;
  const rows = await sql<Array<{ message_id: string; change: { toNumber: string } }>>`
    select message_id, change from smpp_server.receipts
    where message_id = any(${ids}::text[])`;
  if (rows.length === 0) return dropped.count;
  const erased = rows.map((row) => ({
    message_id: row.message_id,
    change: JSON.stringify(erasedStatusChange(row.change)),
  }));
  await sql`
    update smpp_server.receipts r set change = x.change::jsonb
    from jsonb_to_recordset(${JSON.stringify(erased)}::text::jsonb) as x(message_id text, change text)
    where r.message_id = x.message_id`;
  return erased.length + dropped.count;
}

/** The consumer's handler of `MessagesErased` (`<p>.status.erased`). */
export function handleErasures(deps: { sql: postgres.Sql }) {
  return async (batch: Delivery<MessagesErased>[]): Promise<undefined> => {
    await eraseReceiptNumbers(
      deps.sql,
      batch.flatMap(({ value }) => value.messageIds),
    );
    return undefined;
  };
}
