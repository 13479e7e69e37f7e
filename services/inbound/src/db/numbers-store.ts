import type { AuditBy } from "@smsgw/contracts";
import type { Database } from "@smsgw/service-kit";
import { type InventoryNumber, restsUntil, type TakeWish } from "../domain/numbers.ts";
import { auditOfChanged } from "./audit.ts";

interface NumberRow {
  number: string;
  carrier_id: string;
  country: string;
  simulator: boolean;
  account_id: string | null;
  inbound_url: string | null;
  taken_at: Date | null;
  released_at: Date | null;
  released_by: string | null;
}

const fromRow = (row: NumberRow): InventoryNumber => ({
  number: row.number,
  carrierId: row.carrier_id,
  country: row.country,
  simulator: row.simulator,
  accountId: row.account_id,
  inboundUrl: row.inbound_url,
  takenAt: row.taken_at,
  releasedAt: row.released_at,
  releasedBy: row.released_by,
});

export interface NumberStoreOptions {
  /** How long a released number rests before another account may take it (`restsUntil`). */
  quarantineMs?: number;
}

/** The number inventory (`inbound.numbers`): the operator's entries and the accounts' holds. */
export function createNumberStore(database: Database<unknown>, options: NumberStoreOptions = {}) {
  const { sql } = database;
  const quarantineMs = options.quarantineMs ?? 0;

  /** Takes a free number that fits the wish (see `take`), under the request's key if any. */
  async function takeFree(
    accountId: string,
    wish: TakeWish,
    now: Date,
    by: AuditBy,
    requestKey: string | null,
  ): Promise<InventoryNumber | undefined> {
    const [row] = await sql<NumberRow[]>`
      with changed as (
        update numbers
          set account_id = ${accountId}, taken_at = ${now}, inbound_url = null,
              released_at = null, released_by = null, taken_with_key = ${requestKey}
        where number = (
          select number from numbers
          where account_id is null
            and (simulator or not ${wish.test})
            and (simulator or released_at is null or released_by = ${accountId}
              or released_at <= ${now}::timestamptz - ${quarantineMs} * interval '1 millisecond')
            and ${wish.number === undefined ? sql`country = ${wish.country ?? ""}` : sql`number = ${wish.number}`}
          order by number
          limit 1
          for update skip locked
        ) and account_id is null
        returning *
      ), logged as (${auditOfChanged(sql, accountId, "number", { action: "number.taken", by })})
      select * from changed`;
    return row ? fromRow(row) : undefined;
  }

  /** The number the account holds by a take under this key, if any. */
  async function takenWith(accountId: string, key: string): Promise<InventoryNumber | undefined> {
    const [row] = await sql<NumberRow[]>`
      select * from numbers where account_id = ${accountId} and taken_with_key = ${key}`;
    return row ? fromRow(row) : undefined;
  }

  return {
    quarantineMs,

    /** The whole inventory, for the operator. */
    async inventory(): Promise<InventoryNumber[]> {
      return (await sql<NumberRow[]>`select * from numbers order by number`).map(fromRow);
    },

    /** Adds a number, or changes its carrier and kind (an account holding it keeps it). */
    async put(entry: Pick<InventoryNumber, "number" | "carrierId" | "country" | "simulator">) {
      const [row] = await sql<NumberRow[]>`
        insert into numbers (number, carrier_id, country, simulator)
        values (${entry.number}, ${entry.carrierId}, ${entry.country}, ${entry.simulator})
        on conflict (number) do update
          set carrier_id = excluded.carrier_id, country = excluded.country, simulator = excluded.simulator
        returning *`;
      return fromRow(row as NumberRow);
    },

    /** Removes a number from the inventory; false when it was not there. */
    async remove(number: string): Promise<boolean> {
      return (await sql`delete from numbers where number = ${number}`).count > 0;
    },

    /** Every number an account holds, and the account (the numbers bucket's record). */
    async holds(): Promise<Array<{ number: string; accountId: string }>> {
      return sql<Array<{ number: string; accountId: string }>>`
        select number, account_id as "accountId" from numbers where account_id is not null`;
    },

    async ownedBy(accountId: string): Promise<InventoryNumber[]> {
      const rows = await sql<NumberRow[]>`
        select * from numbers where account_id = ${accountId} order by taken_at, number`;
      return rows.map(fromRow);
    },

    /** Until when a free number rests from its last release (`restsUntil`); null when it does not. */
    async restingUntil(number: string, now: Date): Promise<Date | null> {
      const [row] = await sql<NumberRow[]>`select * from numbers where number = ${number}`;
      return row ? restsUntil(fromRow(row), now, quarantineMs) : null;
    },

    /** The inventory row of a number (owned or not), for routing an MO. */
    async find(number: string): Promise<InventoryNumber | undefined> {
      const [row] = await sql<NumberRow[]>`select * from numbers where number = ${number}`;
      return row ? fromRow(row) : undefined;
    },

    /**
     * Gives the account a free number that fits the wish, or none. Two accounts asking at once
     * never get the same number: the row is locked and the update re-checks that it is free.
     * A number another account released less than the quarantine ago is not free to this one
     * (`restsUntil`).
     */
    async take(
      accountId: string,
      wish: TakeWish,
      now: Date,
      by: AuditBy,
      requestKey: string | null = null,
    ): Promise<InventoryNumber | undefined> {
      if (requestKey !== null) {
        const taken = await takenWith(accountId, requestKey);
        if (taken) return taken;
      }
      try {
        return await takeFree(accountId, wish, now, by, requestKey);
      } catch (error) {
        // The same key's take committed meanwhile (another replica, a concurrent retry).
        if (requestKey === null || !isKeyTaken(error)) throw error;
        return takenWith(accountId, requestKey);
      }
    },

    /** Sets the inbound URL of an account's own number; undefined when it holds no such number. */
    async setInboundUrl(
      accountId: string,
      number: string,
      inboundUrl: string | null,
      by: AuditBy,
    ): Promise<InventoryNumber | undefined> {
      // The host only: a customer's URL may carry a token in its path or query.
      const host = inboundUrl === null ? null : new URL(inboundUrl).host;
      const audit = { action: "number.inbound_url_set" as const, by, details: { host } };
      const [row] = await sql<NumberRow[]>`
        with changed as (
          update numbers set inbound_url = ${inboundUrl}
          where number = ${number} and account_id = ${accountId}
          returning *
        ), logged as (${auditOfChanged(sql, accountId, "number", audit)})
        select * from changed`;
      return row ? fromRow(row) : undefined;
    },

    /** Gives an account's number back to the inventory; false when it holds no such number. */
    async release(accountId: string, number: string, now: Date, by: AuditBy): Promise<boolean> {
      const rows = await sql`
        with changed as (
          update numbers
            set account_id = null, inbound_url = null, taken_at = null, taken_with_key = null,
                released_at = ${now}, released_by = ${accountId}
          where number = ${number} and account_id = ${accountId}
          returning number
        ), logged as (${auditOfChanged(sql, accountId, "number", { action: "number.released", by })})
        select number from changed`;
      return rows.length > 0;
    },
  };
}

export type NumberStore = ReturnType<typeof createNumberStore>;

/** The unique index of 0009: another take under the same account and key committed first. */
function isKeyTaken(error: unknown): boolean {
  const e = error as { code?: unknown; constraint_name?: unknown } | null;
  return e?.code === "23505" && e.constraint_name === "numbers_taken_with_key";
}
