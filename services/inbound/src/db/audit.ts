import type { AuditAction, AuditBy, AuditEntry } from "@smsgw/contracts";
import type { Database } from "@smsgw/service-kit";

type Sql = Database<unknown>["sql"];

/** A change's audit entry, as the caller that verified who asked says (contracts audit.ts). */
export interface AuditOf {
  action: AuditAction;
  by: AuditBy;
  details?: Record<string, unknown>;
}

/** A request that did not say who asked (an older door during a rollout). */
export const UNSAID: AuditBy = { actor: "unknown", ip: null };

/**
 * The insert of one audit entry per row the statement's CTE `changed` returns, for the
 * account that asked, `target` the row's column naming what changed. Put in the change's own
 * statement (`with changed as (…), logged as (${auditOfChanged(…)}) select * from changed`):
 * no change without its entry, no entry without its change, and a change that matched
 * nothing records nothing.
 */
export function auditOfChanged(
  sql: Sql,
  accountId: string,
  target: "number" | "sender",
  audit: AuditOf,
) {
  // From text: postgres.js would bind a string to jsonb as a JSON string.
  const details = JSON.stringify(audit.details ?? {});
  return sql`
    insert into audit_log (account_id, action, actor, ip, target, details)
    select ${accountId}, ${audit.action}, ${audit.by.actor}, ${audit.by.ip}, ${sql(target)},
      ${details}::text::jsonb
    from changed`;
}

interface AuditRow {
  id: string;
  at: Date;
  action: AuditAction;
  actor: string;
  ip: string | null;
  target: string | null;
  details: Record<string, unknown>;
}

/** The account's latest entries, newest first. */
export async function listAudit(sql: Sql, accountId: string, limit: number): Promise<AuditEntry[]> {
  const rows = await sql<AuditRow[]>`
    select id::text as id, at, action, actor, ip, target, details from audit_log
    where account_id = ${accountId} order by id desc limit ${limit}`;
  return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}
