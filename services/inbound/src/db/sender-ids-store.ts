import type { SenderIdRecord } from "@smsgw/contracts";
import type { Database } from "@smsgw/service-kit";
import type { SenderIdRegistration, SenderIdStatus } from "../domain/sender-ids.ts";

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
    async request(accountId: string, sender: string, now: Date): Promise<SenderIdRegistration> {
      await sql`
        insert into sender_ids (account_id, sender, requested_at)
        values (${accountId}, ${sender}, ${now}) on conflict do nothing`;
      const [row] = await sql<Row[]>`
        select * from sender_ids where account_id = ${accountId} and sender = ${sender}`;
      return fromRow(row as Row);
    },

    /** The account withdraws it (approved or not); false when it had no such registration. */
    async withdraw(accountId: string, sender: string): Promise<boolean> {
      const result = await sql`
        delete from sender_ids where account_id = ${accountId} and sender = ${sender}`;
      return result.count > 0;
    },

    /** The operator's decision; undefined when there is no such registration. */
    async decide(
      accountId: string,
      sender: string,
      status: "approved" | "rejected",
      now: Date,
    ): Promise<SenderIdRegistration | undefined> {
      const [row] = await sql<Row[]>`
        update sender_ids set status = ${status}, decided_at = ${now}
        where account_id = ${accountId} and sender = ${sender}
        returning *`;
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
