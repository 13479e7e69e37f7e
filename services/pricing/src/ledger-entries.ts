import type { Kysely, Selectable } from "kysely";
import type { LedgerKind, LedgerTable, PricingDatabase } from "./db/schema.ts";
import { toUnits } from "./db/schema.ts";

/** One ledger entry as the admin API, the CLI and the console read it. */
export interface LedgerEntry {
  id: string;
  kind: LedgerKind;
  /** Signed money units. */
  amount: number;
  messageId: string | null;
  actor: string;
  note: string;
  /** The caller's reference of a top-up or adjustment (one movement per account and reference). */
  reference: string | null;
  createdAt: Date;
}

export function toLedgerEntry(row: Selectable<LedgerTable>): LedgerEntry {
  return {
    id: row.id,
    kind: row.kind,
    amount: toUnits(row.amount),
    messageId: row.message_id,
    actor: row.actor,
    note: row.note,
    reference: row.reference,
    createdAt: row.created_at,
  };
}

/**
 * An account's ledger entries, newest first, `limit` of them before the entry `beforeId`
 * (a string of digits) if given. `db` may be a transaction: the console reads them in the
 * snapshot it reads the balance in.
 */
export async function ledgerEntries(
  db: Kysely<PricingDatabase>,
  accountId: string,
  limit: number,
  beforeId?: string,
): Promise<LedgerEntry[]> {
  let query = db
    .selectFrom("ledger")
    .selectAll()
    .where("account_id", "=", accountId)
    .orderBy("id", "desc")
    .limit(limit);
  if (beforeId !== undefined) query = query.where("id", "<", beforeId);
  return (await query.execute()).map(toLedgerEntry);
}
