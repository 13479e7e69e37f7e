import { randomBytes } from "node:crypto";
import type { ConsoleRecordAuditRequest } from "@smsgw/contracts";
import { type Kysely, sql, type Transaction } from "kysely";
import type { ConsoleDatabase } from "./schema.ts";

export type TeamAudit = Omit<ConsoleRecordAuditRequest, "entryId">;

/**
 * A team change's audit entry, written in the change's own transaction: the console owns
 * members and sessions, pricing the account's audit log, and this row carries the entry
 * across until pricing confirms it (handlers/audit-relay.ts). No change without its entry;
 * the entry's id makes a retry record nothing more.
 */
export async function queueAudit(
  tx: Transaction<ConsoleDatabase> | Kysely<ConsoleDatabase>,
  entry: TeamAudit,
): Promise<string> {
  const entryId = `aud_${randomBytes(16).toString("base64url")}`;
  const request: ConsoleRecordAuditRequest = { entryId, ...entry };
  await tx
    .insertInto("audit_outbox")
    .values({
      entry_id: entryId,
      // From text: postgres.js would bind a string to jsonb as a JSON string.
      request: sql<string>`${JSON.stringify(request)}::text::jsonb`,
    })
    .execute();
  return entryId;
}

/** The oldest entries pricing has neither confirmed nor refused for good. */
export async function pendingAudits(
  db: Kysely<ConsoleDatabase>,
  limit: number,
): Promise<ConsoleRecordAuditRequest[]> {
  const rows = await db
    .selectFrom("audit_outbox")
    .select("request")
    .where("refused_at", "is", null)
    .orderBy("created_at")
    .limit(limit)
    .execute();
  return rows.map((row) => row.request as ConsoleRecordAuditRequest);
}

export async function confirmAudit(db: Kysely<ConsoleDatabase>, entryId: string): Promise<void> {
  await db.deleteFrom("audit_outbox").where("entry_id", "=", entryId).execute();
}

/** pricing refused the entry for good: kept with the reason, for an operator, never sent again. */
export async function setAuditAside(
  db: Kysely<ConsoleDatabase>,
  entryId: string,
  reason: string,
): Promise<void> {
  await db
    .updateTable("audit_outbox")
    .set({ refused_at: sql<Date>`now()`, refused_reason: reason.slice(0, 500) })
    .where("entry_id", "=", entryId)
    .execute();
}
