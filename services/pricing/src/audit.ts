import type { AuditAction, AuditBy, AuditEntry } from "@smsgw/contracts";
import { type Kysely, sql, type Transaction } from "kysely";
import type { PricingDatabase } from "./db/schema.ts";

/**
 * The audit log of an account's credentials (issue 22): one entry per change, written in the
 * change's own transaction, so there is no change without its entry and no entry without
 * its change. `by` is what the service that verified the caller says (contracts audit.ts).
 */
export interface AuditRecord {
  accountId: string;
  /** The caller's id of the change, when it may ask again (the console's outbox). */
  entryId?: string;
  action: AuditAction;
  by: AuditBy;
  target: string | null;
  /** What changed; never a secret or its digest. */
  details?: Record<string, unknown>;
}

/** When the caller does not say (the admin API, an older console): an operator's change. */
export const OPERATOR: AuditBy = { actor: "operator", ip: null };

export async function recordAudit(
  tx: Transaction<PricingDatabase> | Kysely<PricingDatabase>,
  entry: AuditRecord,
): Promise<void> {
  await tx
    .insertInto("audit_log")
    .values({
      ...(entry.entryId ? { entry_id: entry.entryId } : {}),
      account_id: entry.accountId,
      action: entry.action,
      actor: entry.by.actor,
      ip: entry.by.ip,
      target: entry.target,
      // From text: postgres.js would bind a string to jsonb as a JSON string.
      details: sql<string>`${JSON.stringify(entry.details ?? {})}::text::jsonb`,
    })
    // A second try of the same entry (its answer was lost) records nothing more.
    .onConflict((c) => c.column("entry_id").where("entry_id", "is not", null).doNothing())
    .execute();
}

/** The account's latest entries, newest first. */
export async function listAudit(
  db: Kysely<PricingDatabase>,
  accountId: string,
  limit = 50,
): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom("audit_log")
    .selectAll()
    .where("account_id", "=", accountId)
    .orderBy("id", "desc")
    .limit(Math.min(Math.max(1, limit), 500))
    .execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at.toISOString(),
    action: row.action as AuditAction,
    actor: row.actor,
    ip: row.ip,
    target: row.target,
    details: row.details,
  }));
}
