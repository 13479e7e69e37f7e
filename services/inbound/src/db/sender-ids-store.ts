import type { AuditBy, SenderIdRecord } from "@smsgw/contracts";
import type { Database } from "@smsgw/service-kit";
import type { SenderIdRegistration, SenderIdStatus } from "../domain/sender-ids.ts";
import { auditOfChanged } from "./audit.ts";

interface Row {
  account_id: string;
  sender: string;
  status: SenderIdStatus;
  requested_at: Date;
  decided_at: Date | null;
}

const fromRow = (row: Row): SenderIdRegistration => ({
  accountId: row.account_id,
  sender: row.sender,
  status: row.status,
  requestedAt: row.requested_at,
  decidedAt: row.decided_at,
});

/** The sender ID registry (`inbound.sender_ids`): the accounts' requests, the operator's decisions. */
export function createSenderIdStore(database: Database<unknown>) {
  const { sql } = database;
  return {
    async ofAccount(accountId: string): Promise<SenderIdRegistration[]> {
      const rows = await sql<Row[]>`
        select * from sender_ids where account_id = ${accountId} order by requested_at, sender`;
      return rows.map(fromRow);
    },

    /** Asks for a sender ID; asking again answers the registration as it is. */
    async request(
      accountId: string,
      sender: string,
      now: Date,
      by: AuditBy,
    ): Promise<SenderIdRegistration> {
      // Asked before: nothing inserted, nothing audited.
      await sql`
        with changed as (
          insert into sender_ids (account_id, sender, requested_at)
          values (${accountId}, ${sender}, ${now}) on conflict do nothing
          returning *
        ), logged as (${auditOfChanged(sql, accountId, "sender", { action: "sender_id.requested", by })})
        select 1 from changed`;
      const [row] = await sql<Row[]>`
        select * from sender_ids where account_id = ${accountId} and sender = ${sender}`;
      return fromRow(row as Row);
    },

    /** The account withdraws it (approved or not); false when it had no such registration. */
    async withdraw(accountId: string, sender: string, by: AuditBy): Promise<boolean> {
      const rows = await sql`
        with changed as (
          delete from sender_ids where account_id = ${accountId} and sender = ${sender}
          returning *
        ), logged as (${auditOfChanged(sql, accountId, "sender", { action: "sender_id.withdrawn", by })})
        select 1 from changed`;
      return rows.length > 0;
    },

    /** The operator's decision; undefined when there is no such registration. */
    async decide(
      accountId: string,
      sender: string,
      status: "approved" | "rejected",
      now: Date,
      by: AuditBy,
    ): Promise<SenderIdRegistration | undefined> {
      const action = status === "approved" ? "sender_id.approved" : "sender_id.rejected";
      const [row] = await sql<Row[]>`
        with changed as (
          update sender_ids set status = ${status}, decided_at = ${now}
          where account_id = ${accountId} and sender = ${sender}
          returning *
        ), logged as (${auditOfChanged(sql, accountId, "sender", { action, by })})
        select * from changed`;
      return row ? fromRow(row) : undefined;
    },

    /** Waiting for the operator, oldest first. */
    async pending(limit: number): Promise<SenderIdRegistration[]> {
      const rows = await sql<Row[]>`
        select * from sender_ids where status = 'pending' order by requested_at limit ${limit}`;
      return rows.map(fromRow);
    },

    /** Every approved one, as the doors' bucket holds it. */
    async approved(): Promise<SenderIdRecord[]> {
      const rows = await sql<Row[]>`select * from sender_ids where status = 'approved'`;
      return rows.map(approvedRecord);
    },
  };
}

export type SenderIdStore = ReturnType<typeof createSenderIdStore>;

/** The bucket's record of an approved registration. */
export function approvedRecord(row: Row | SenderIdRegistration): SenderIdRecord {
  const r = "account_id" in row ? fromRow(row) : row;
  return {
    accountId: r.accountId,
    sender: r.sender,
    approvedAt: (r.decidedAt ?? r.requestedAt).toISOString(),
  };
}
