import {
  changesOf,
  InboundDelivery,
  MessageStatusChanged,
  type StatusChangeDelivery,
  wantsSmppReceipt,
} from "@smsgw/contracts";
import type { Delivery, Logger } from "@smsgw/service-kit";
import { inboundDeliverSm, receiptDeliverSm, SmppError } from "@smsgw/smpp";
import type postgres from "postgres";
import type { ExpiredGroup } from "../domain/concat.ts";
import { expiredPartsChange, receiptInputOf } from "../domain/receipt.ts";
import { type ReceiptKeeping, receiptExpiresAt } from "../domain/receipt-expiry.ts";
import { smppReceipts } from "../metrics.ts";
import type { BindDesk } from "./binds.ts";

export const SMPP_RECEIPTS_DURABLE = "smpp-server-receipts";

/**
 * The consumer's handler: the status changes that an SMPP customer asked receipts for
 * (`smppReceipt` on the change, the same changes webhooks come from) are stored, once per
 * message, kept until the message's validity ends (`receiptExpiresAt`), then acked (a failed
 * insert throws and JetStream redelivers). Sending is the sender's job: whichever replica
 * holds a receiver of the account.
 */
export function handleStatusChanges(deps: {
  sql: postgres.Sql;
  keep: ReceiptKeeping;
  poke(): void;
  /** The clock the expiry is decided on (tests move it). */
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  return async (batch: Delivery<StatusChangeDelivery>[]): Promise<undefined> => {
    const at = now();
    const owed = batch
      .flatMap(({ value }) => changesOf(value))
      .filter((change) => wantsSmppReceipt(change.smppReceipt, change.status))
      .map((change) => ({
        message_id: change.messageId,
        account_id: change.accountId,
        change: JSON.stringify(change),
        expires_at: new Date(receiptExpiresAt(change.validUntil, at, deps.keep)).toISOString(),
      }));
    if (owed.length === 0) return undefined;
    await storeOwed(deps.sql, owed);
    smppReceipts.inc({ outcome: "stored" }, owed.length);
    deps.poke();
    return undefined;
  };
}

/**
 * Owes the receipts of concatenated messages whose parts never all came (`expiredPartsChange`),
 * stored as any receipt is, in the transaction that drops their parts (concat-store.ts): the
 * sender sends them to the account's receivers, now or once one binds. Returns how many
 * (counted in `smpp_receipts_total` by the caller, once the transaction committed).
 */
export async function oweExpiredPartsReceipts(
  tx: postgres.TransactionSql,
  expired: ReadonlyArray<{ accountId: string; group: ExpiredGroup }>,
  keep: ReceiptKeeping,
  at: number,
): Promise<number> {
  const owed = owedForExpiredParts(expired, keep, at);
  if (owed.length > 0) await storeOwed(tx, owed);
  return owed.length;
}

/**
 * The receipts owed for messages whose parts never all came: none for a message put back
 * after an unknown outcome (it may have been accepted and sent: no REJECTD for it), nor for
 * a sender that asked for no receipt of a failure.
 */
export function owedForExpiredParts(
  expired: ReadonlyArray<{ accountId: string; group: ExpiredGroup }>,
  keep: ReceiptKeeping,
  at: number,
): OwedRow[] {
  return expired.flatMap(({ accountId, group }) => {
    if (group.uncertain) return [];
    const change = expiredPartsChange({
      messageId: group.messageId,
      accountId,
      from: group.key.from,
      to: group.key.to,
      total: group.total,
      registeredDelivery: group.registeredDelivery,
      at,
    });
    if (!change) return [];
    return [
      {
        message_id: change.messageId,
        account_id: accountId,
        change: JSON.stringify(change),
        expires_at: new Date(receiptExpiresAt(undefined, at, keep)).toISOString(),
      },
    ];
  });
}

/** A deliver_sm owed to an account's receivers: a receipt, or an inbound message. */
export interface OwedRow {
  /** `msg_…` (a receipt) or `in_…` (an inbound message): one deliver_sm each. */
  message_id: string;
  account_id: string;
  /** The MessageStatusChanged or the InboundDelivery it is made from, as JSON. */
  change: string;
  expires_at: string;
}

/** Stores what is owed, once per id (a redelivered change or message stores nothing). */
export async function storeOwed(
  sql: postgres.Sql | postgres.TransactionSql,
  owed: readonly OwedRow[],
): Promise<void> {
  await sql`
    insert into smpp_server.receipts (message_id, account_id, change, expires_at)
    select x.message_id, x.account_id, x.change::jsonb, x.expires_at
    from jsonb_to_recordset(${JSON.stringify(owed)}::text::jsonb)
      as x(message_id text, account_id text, change text, expires_at timestamptz)
    on conflict (message_id) do nothing`;
}

interface DueRow {
  message_id: string;
  account_id: string;
  change: unknown;
}

export interface ReceiptSenderDeps {
  sql: postgres.Sql;
  desk: Pick<BindDesk, "receivingAccounts" | "receiverOf">;
  /** How long a claimed receipt is left to this replica before another may send it again. */
  leaseMs: number;
  pollMs: number;
  log: Logger;
  /**
   * deliver_sm sent and unanswered at once per account, at most (a bind's window): the rest
   * stay unclaimed in the table, so a claimed one never waits in a session's queue past its
   * lease, and a customer that does not answer holds up no other. Default 10 (`SMPP_WINDOW`'s).
   */
  inFlightPerAccount?: number;
  /** How long `stop` waits for the deliver_sm in flight before it hands their claims back. */
  stopWaitMs?: number;
}

const IN_FLIGHT_PER_ACCOUNT = 10;
const STOP_WAIT_MS = 2_000;
const PURGE_EVERY_MS = 60_000;

/**
 * Sends the stored receipts of the accounts bound here as deliver_sm, at least once: a
 * receipt is claimed for a lease (so replicas do not send it together), and deleted only
 * when a deliver_sm_resp says OK; anything else leaves it for the next attempt after the
 * lease. Each account has at most `inFlightPerAccount` unanswered, each settled as its answer
 * comes (the deletes of the answers that came meanwhile ride on the next claim, one
 * statement), so a customer that never answers slows only itself. Claims run every `pollMs`
 * and when poked (a receipt stored, a receiver bound, an answer), never twice at once.
 */
export function startReceiptSender(deps: ReceiptSenderDeps) {
  const { sql, desk, log } = deps;
  const perAccount = deps.inFlightPerAccount ?? IN_FLIGHT_PER_ACCOUNT;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let lastPurge = 0;
  /** Claimed here and not yet settled: message id -> account. */
  const inFlight = new Map<string, string>();
  const inFlightOf = new Map<string, number>();
  /** Answered OK (or unreadable), to delete with the next statement. */
  let answered: string[] = [];
  /** Claimed as `stop` began: never sent, handed back. */
  let unsent: string[] = [];
  let onSettled: (() => void) | undefined;

  /**
   * One statement: deletes the receipts answered OK since the last, and claims the due ones
   * of the accounts below their bound (up to the room each has left), for a lease.
   */
  async function settleAndClaim(
    acked: string[],
    accounts: string[],
    rooms: number[],
  ): Promise<DueRow[]> {
    return sql<DueRow[]>`
      with settled as (
        delete from smpp_server.receipts where message_id = any(${acked}::text[])
      ), due as (
        select d.message_id
        from unnest(${accounts}::text[], ${rooms}::int[]) as a(account_id, room)
        cross join lateral (
          select message_id from smpp_server.receipts
          where account_id = a.account_id and next_attempt_at <= now()
            and expires_at > now() and message_id <> all(${acked}::text[])
          order by next_attempt_at
          limit a.room
          for update skip locked
        ) d
      )
      update smpp_server.receipts r
      set next_attempt_at = now() + make_interval(secs => ${deps.leaseMs / 1000}),
        attempts = r.attempts + 1
      from due
      where r.message_id = due.message_id
      returning r.message_id, r.account_id, r.change`;
  }

  /** The deliver_sm a stored row stands for: an inbound message's, or a receipt's. */
  function pduOf(row: DueRow) {
    const inbound = InboundDelivery.safeParse(row.change);
    if (inbound.success) return inboundDeliverSm(inbound.data);
    const parsed = MessageStatusChanged.safeParse(row.change);
    const input = parsed.success ? receiptInputOf(parsed.data) : null;
    return input ? receiptDeliverSm(input) : null;
  }

  /** True once the customer answered OK (or the row can never be sent); never rejects. */
  async function send(row: DueRow): Promise<boolean> {
    const pdu = pduOf(row);
    if (!pdu) {
      log.error({ messageId: row.message_id }, "stored receipt is unreadable; dropped");
      return true;
    }
    const receiver = desk.receiverOf(row.account_id);
    if (!receiver) return false;
    try {
      const resp = await receiver.session.request(pdu);
      if (resp.commandStatus === 0) return true;
      log.info(
        { messageId: row.message_id, commandStatus: resp.commandStatus },
        "receipt refused by the customer; sent again later",
      );
    } catch (error) {
      if (error instanceof SmppError) {
        log.info({ messageId: row.message_id, err: error.message }, "receipt not acknowledged");
      } else {
        log.warn({ messageId: row.message_id, err: error }, "receipt sending failed; retrying");
      }
    }
    return false;
  }

  /** Sends without waiting; the answer settles the row and makes room for the account. */
  function dispatch(row: DueRow): void {
    void send(row).then((ok) => {
      const accountId = inFlight.get(row.message_id);
      // Handed back by `stop` already: another replica or a later start sends it.
      if (accountId === undefined) return;
      inFlight.delete(row.message_id);
      const left = (inFlightOf.get(accountId) ?? 1) - 1;
      if (left > 0) inFlightOf.set(accountId, left);
      else inFlightOf.delete(accountId);
      if (ok) answered.push(row.message_id);
      else smppReceipts.inc({ outcome: "retry" });
      if (inFlight.size === 0) onSettled?.();
      poke();
    });
  }

  async function tick(): Promise<void> {
    const acked = answered;
    answered = [];
    const accounts: string[] = [];
    const rooms: number[] = [];
    if (!stopped) {
      for (const accountId of desk.receivingAccounts()) {
        const room = perAccount - (inFlightOf.get(accountId) ?? 0);
        if (room > 0) {
          accounts.push(accountId);
          rooms.push(room);
        }
      }
    }
    if (acked.length > 0 || accounts.length > 0) {
      let rows: DueRow[];
      try {
        rows = await settleAndClaim(acked, accounts, rooms);
      } catch (error) {
        answered.push(...acked); // deleted with the next statement
        throw error;
      }
      smppReceipts.inc({ outcome: "acknowledged" }, acked.length);
      for (const row of rows) {
        if (stopped) {
          unsent.push(row.message_id);
          continue;
        }
        inFlight.set(row.message_id, row.account_id);
        inFlightOf.set(row.account_id, (inFlightOf.get(row.account_id) ?? 0) + 1);
        dispatch(row);
      }
    }
    if (!stopped && Date.now() - lastPurge > PURGE_EVERY_MS) {
      lastPurge = Date.now();
      const purged = await sql`delete from smpp_server.receipts where expires_at <= now()`;
      if (purged.count > 0) {
        smppReceipts.inc({ outcome: "expired" }, purged.count);
        log.warn({ count: purged.count }, "receipts expired before any receiver took them");
      }
    }
  }

  function poke(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = tick()
      .catch((error: unknown) => log.warn({ err: error }, "receipt sending failed; retrying"))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          poke();
        }
      });
  }

  /** Resolves once nothing is in flight, or after `ms`. */
  async function settled(ms: number): Promise<void> {
    if (inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      onSettled = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    onSettled = undefined;
  }

  const timer = setInterval(poke, deps.pollMs);
  timer.unref();
  return {
    poke,
    /**
     * Claims nothing more, waits for the deliver_sm in flight (at most `stopWaitMs`), deletes
     * the answered ones and hands back the claims of the rest (due at once, not after the
     * lease), so another replica or a later start sends them. Never rejects.
     */
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await running;
      await settled(deps.stopWaitMs ?? STOP_WAIT_MS);
      const acked = answered;
      const unanswered = [...inFlight.keys(), ...unsent];
      answered = [];
      unsent = [];
      inFlight.clear();
      inFlightOf.clear();
      if (acked.length === 0 && unanswered.length === 0) return;
      await sql`
        with settled as (
          delete from smpp_server.receipts where message_id = any(${acked}::text[])
        )
        update smpp_server.receipts set next_attempt_at = now()
        where message_id = any(${unanswered}::text[])`
        .then(() => smppReceipts.inc({ outcome: "acknowledged" }, acked.length))
        .catch((error: unknown) =>
          log.warn({ err: error }, "receipts not handed back; sent again after their lease"),
        );
    },
  };
}
