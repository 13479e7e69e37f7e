import type { Logger } from "@smsgw/service-kit";
import type { PartOf } from "@smsgw/smpp";
import type postgres from "postgres";
import {
  type AddOutcome,
  type ConcatKey,
  type ExpiredGroup,
  groupKeyOf,
  partProblem,
  wholeMessage,
} from "../domain/concat.ts";
import { smppSubmits } from "../metrics.ts";
import type { SubmittedPart } from "./submits.ts";

/** Expired messages dropped by one sweep's transaction at most (the next takes the rest). */
const SWEEP_BATCH = 500;

export interface ConcatStoreDeps {
  sql: postgres.Sql;
  /** Concatenated messages an account may have waiting for parts at once (every replica's). */
  maxWaitingPerAccount: number;
  /** A message whose parts do not all come within this is dropped, never charged. */
  timeoutMs: number;
  /** Whether a part that comes again is the same part resent (answered as the first was). */
  samePart(a: SubmittedPart, b: SubmittedPart): boolean;
  /** The id a message gets when its first part comes: every part is answered with it. */
  newMessageId(): string;
  /**
   * The messages whose parts never all came, in the transaction that drops them: their parts
   * were answered ESME_ROK with their id, so their senders are owed word (a receipt, when
   * asked for). Dropped and owed together, or neither (the next sweep tries again).
   */
  owe(tx: postgres.TransactionSql, expired: ReadonlyArray<ExpiredOf>): Promise<number>;
  /** Called once owed receipts were stored. */
  onOwed(): void;
  log: Logger;
}

export interface ExpiredOf {
  accountId: string;
  group: ExpiredGroup;
}

interface PartRow {
  seq: number;
  payload: Uint8Array;
  data_coding: number;
  registered_delivery: number;
}

/** The part's bytes as postgres.js sends bytea: a Buffer over the same memory. */
const bytesOf = (payload: Uint8Array): Buffer =>
  Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);

const partOfRow = (row: PartRow): SubmittedPart => ({
  payload: row.payload,
  dataCoding: row.data_coding,
  registeredDelivery: row.registered_delivery,
});

/**
 * The concatenated submits waiting for their other parts, in Postgres (`smpp_server.concat_*`,
 * ADR 0029): the parts of one message are joined per account, whatever bind and whatever
 * replica each came by. A customer with a pool of transmitter binds behind the Service sends
 * the parts of one message on binds held by different replicas, and a bind that drops between
 * two parts has its successor elsewhere; each part was answered ESME_ROK with the message's id.
 * One transaction a part: the group's row is locked while a part is added, so exactly one part
 * completes the message, on whichever replica it came.
 */
export function startConcatStore(deps: ConcatStoreDeps) {
  const { sql } = deps;

  async function add(
    accountId: string,
    key: ConcatKey,
    part: PartOf,
    value: SubmittedPart,
  ): Promise<AddOutcome<SubmittedPart>> {
    const problem = partProblem(part);
    if (problem) return { kind: "invalid", reason: problem };
    const groupKey = groupKeyOf(key, part);
    return sql.begin(async (tx) => {
      const messageId = await openGroup(tx, accountId, groupKey, key, part.total);
      if (messageId === null) {
        return { kind: "invalid", reason: "too many concatenated messages waiting for parts" };
      }
      const added = await tx`
        insert into smpp_server.concat_parts
          (account_id, group_key, seq, payload, data_coding, registered_delivery)
        values (${accountId}, ${groupKey}, ${part.seq}, ${bytesOf(value.payload)}, ${value.dataCoding},
          ${value.registeredDelivery})
        on conflict do nothing
        returning seq`;
      if (added.length === 0) {
        const [earlier] = await tx<PartRow[]>`
          select seq, payload, data_coding, registered_delivery from smpp_server.concat_parts
          where account_id = ${accountId} and group_key = ${groupKey} and seq = ${part.seq}`;
        // A resend is answered as the part was (OK, the same id): refusing it would tell the
        // client the message failed while its other parts go on to be charged and sent.
        if (earlier && deps.samePart(partOfRow(earlier), value))
          return { kind: "waiting", messageId };
        return { kind: "invalid", reason: `part ${part.seq} of ${part.total} came twice` };
      }
      const rows = await tx<PartRow[]>`
        select seq, payload, data_coding, registered_delivery from smpp_server.concat_parts
        where account_id = ${accountId} and group_key = ${groupKey}`;
      const values = wholeMessage(
        part.total,
        rows.map((row) => ({ seq: row.seq, value: partOfRow(row) })),
      );
      if (values === null) return { kind: "waiting", messageId };
      await dropGroup(tx, accountId, groupKey);
      return { kind: "complete", messageId, values };
    });
  }

  /**
   * The group's message id, its row locked until the transaction ends; opened with a new id
   * when this is its first part. Null when the account has too many waiting already.
   */
  async function openGroup(
    tx: postgres.TransactionSql,
    accountId: string,
    groupKey: string,
    key: ConcatKey,
    total: number,
  ): Promise<string | null> {
    const locked = () => tx<Array<{ message_id: string }>>`
      select message_id from smpp_server.concat_groups
      where account_id = ${accountId} and group_key = ${groupKey}
      for update`;
    const [open] = await locked();
    if (open) return open.message_id;
    const [{ waiting } = { waiting: 0 }] = await tx<Array<{ waiting: number }>>`
      select count(*)::int as waiting from smpp_server.concat_groups where account_id = ${accountId}`;
    if (waiting >= deps.maxWaitingPerAccount) return null;
    const [opened] = await tx<Array<{ message_id: string }>>`
      insert into smpp_server.concat_groups (account_id, group_key, message_id, sender, recipient, total)
      values (${accountId}, ${groupKey}, ${deps.newMessageId()}, ${key.from}, ${key.to}, ${total})
      on conflict do nothing
      returning message_id`;
    if (opened) return opened.message_id;
    // Another replica's first part of the same message came at the same moment: its id.
    const [theirs] = await locked();
    return theirs?.message_id ?? null;
  }

  async function dropGroup(tx: postgres.TransactionSql, accountId: string, groupKey: string) {
    await tx`
      delete from smpp_server.concat_parts
      where account_id = ${accountId} and group_key = ${groupKey}`;
    await tx`
      delete from smpp_server.concat_groups
      where account_id = ${accountId} and group_key = ${groupKey}`;
  }

  /**
   * Puts a completed message's parts back, less `part` (the one that completed it, whose
   * answer told the client to retry later: it resends that PDU alone, SMPP 3.4's 0x58 and
   * 0x08). Its resend completes the message again under the same id, so the charge and the
   * accepted event, once per id, are not repeated. Nothing is put back over a group that
   * another first part has opened meanwhile.
   */
  async function reopen(
    accountId: string,
    key: ConcatKey,
    part: PartOf,
    completed: { messageId: string; values: readonly SubmittedPart[] },
    uncertain: boolean,
  ): Promise<void> {
    const groupKey = groupKeyOf(key, part);
    await sql.begin(async (tx) => {
      const opened = await tx`
        insert into smpp_server.concat_groups
          (account_id, group_key, message_id, sender, recipient, total, uncertain)
        values (${accountId}, ${groupKey}, ${completed.messageId}, ${key.from}, ${key.to},
          ${part.total}, ${uncertain})
        on conflict do nothing
        returning message_id`;
      if (opened.length === 0) return;
      for (const [index, value] of completed.values.entries()) {
        if (index + 1 === part.seq) continue;
        await tx`
          insert into smpp_server.concat_parts
            (account_id, group_key, seq, payload, data_coding, registered_delivery)
          values (${accountId}, ${groupKey}, ${index + 1}, ${bytesOf(value.payload)}, ${value.dataCoding},
            ${value.registeredDelivery})`;
      }
    });
  }

  /**
   * Drops the messages whose first part came longer than the timeout ago (the database's
   * clock). Their groups are locked first, passing over any a part is being added to (it is
   * the next sweep's); their parts are read after, in a statement of their own, so a part
   * committed meanwhile is not left behind without its group.
   */
  async function expire(): Promise<ExpiredOf[]> {
    let owed = 0;
    const expired = await sql.begin(async (tx) => {
      const groups = await tx<
        Array<{
          account_id: string;
          group_key: string;
          message_id: string;
          sender: string;
          recipient: string;
          total: number;
          uncertain: boolean;
        }>
      >`
        select account_id, group_key, message_id, sender, recipient, total, uncertain
        from smpp_server.concat_groups
        where started_at < now() - ${deps.timeoutMs} * interval '1 millisecond'
        order by started_at
        limit ${SWEEP_BATCH}
        for update skip locked`;
      if (groups.length === 0) return [];
      const accounts = groups.map((g) => g.account_id);
      const keys = groups.map((g) => g.group_key);
      const parts = await tx<
        Array<{ account_id: string; group_key: string; seq: number; registered_delivery: number }>
      >`
        delete from smpp_server.concat_parts p
        using unnest(${accounts}::text[], ${keys}::text[]) as k(account_id, group_key)
        where p.account_id = k.account_id and p.group_key = k.group_key
        returning p.account_id, p.group_key, p.seq, p.registered_delivery`;
      await tx`
        delete from smpp_server.concat_groups g
        using unnest(${accounts}::text[], ${keys}::text[]) as k(account_id, group_key)
        where g.account_id = k.account_id and g.group_key = k.group_key`;
      const dropped = groups.map((g) => {
        const came = parts
          .filter((p) => p.account_id === g.account_id && p.group_key === g.group_key)
          .sort((a, b) => a.seq - b.seq);
        return {
          accountId: g.account_id,
          group: {
            messageId: g.message_id,
            key: { from: g.sender, to: g.recipient },
            received: came.length,
            total: g.total,
            registeredDelivery: came[0]?.registered_delivery ?? 0,
            uncertain: g.uncertain,
          },
        };
      });
      owed = await deps.owe(tx, dropped);
      return dropped;
    });
    for (const { accountId, group } of expired) {
      smppSubmits.inc({ outcome: "concat_expired" });
      const { messageId, received, total } = group;
      deps.log.warn(
        { accountId, messageId, received, total },
        "parts of a concatenated submit never all came; dropped, not charged",
      );
    }
    if (owed > 0) deps.onOwed();
    return expired;
  }

  let sweeping = false;
  const sweep = setInterval(
    () => {
      if (sweeping) return;
      sweeping = true;
      (async () => {
        while ((await expire()).length === SWEEP_BATCH) {}
      })()
        .catch((error: unknown) =>
          deps.log.error({ err: error }, "concatenated parts not swept; next sweep tries again"),
        )
        .finally(() => {
          sweeping = false;
        });
    },
    Math.min(deps.timeoutMs, 10_000),
  );
  sweep.unref();

  return {
    add,
    reopen,
    /** One sweep now (tests; the timer runs it every min(timeout, 10 s)). */
    expire,
    stop(): void {
      clearInterval(sweep);
    },
  };
}

export type ConcatStore = ReturnType<typeof startConcatStore>;
