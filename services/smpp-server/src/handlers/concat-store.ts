import type { Logger } from "@smsgw/service-kit";
import type { PartOf } from "@smsgw/smpp";
import type postgres from "postgres";
import {
  type AddOutcome,
  type ConcatKey,
  type ExpiredGroup,
  groupKeyOf,
  partProblem,
  registeredDeliveryOfParts,
  wholeMessage,
} from "../domain/concat.ts";
import { smppSubmits } from "../metrics.ts";
import type { SubmittedPart } from "./submits.ts";

/** Expired messages dropped by one sweep's transaction at most (the next takes the rest). */
const SWEEP_BATCH = 500;
/**
 * How long an accept of a whole message holds it: past its longest answer (pricing's and the
 * publish's deadlines). A part resent meanwhile is told to retry later; after it, the accept's
 * replica is taken for stopped and a resend completes the message again.
 */
const COMPLETING_LEASE_MS = 30_000;
/**
 * How long the sweep leaves a message after we told its completing part to retry later
 * (0x58, 0x08), however old it is: we caused that resend, and it completes the message under
 * the id its other parts were answered with. A part's timeout measures the sender's pace, not
 * our back-off: a message completed at its timeout's end and told to retry would otherwise be
 * dropped (REJECTD) and its resend open a message that never completes. Fixed, not a share of
 * the timeout (a tenth of the default 60 s is shorter than many clients' back-off after 0x58);
 * as long as an accept's lease; each retry answer starts it again, so a message lives on only
 * while its client keeps resending, and one whose resend never comes goes 30 s later.
 */
const RETRY_GRACE_MS = 30_000;

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
  /** Called with how many receipts were owed, once they are stored. */
  onOwed(count: number): void;
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
 * completes the message, on whichever replica it came. The parts stay until the accept of the
 * whole has an outcome (`settle`): a replica that stops while accepting leaves them, and once
 * its lease lapses the next resend completes the message again under the same id.
 */
export function startConcatStore(deps: ConcatStoreDeps) {
  const { sql } = deps;

  /** The group's parts that came, or only part `seq`. */
  const partsOf = (
    tx: postgres.TransactionSql,
    accountId: string,
    groupKey: string,
    seq?: number,
  ) =>
    tx<PartRow[]>`
      select seq, payload, data_coding, registered_delivery from smpp_server.concat_parts
      where account_id = ${accountId} and group_key = ${groupKey}
        ${seq === undefined ? tx`` : tx`and seq = ${seq}`}`;

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
      const group = await openGroup(tx, accountId, groupKey, key, part.total);
      if (group === null) {
        return { kind: "invalid", reason: "too many concatenated messages waiting for parts" };
      }
      const { messageId } = group;
      // Its parts are all here and another accept of it is under way: wait for its outcome.
      if (group.completing) return { kind: "completing", messageId };
      const added = await tx`
        insert into smpp_server.concat_parts
          (account_id, group_key, seq, payload, data_coding, registered_delivery)
        values (${accountId}, ${groupKey}, ${part.seq}, ${bytesOf(value.payload)},
          ${value.dataCoding}, ${value.registeredDelivery})
        on conflict do nothing
        returning seq`;
      if (added.length === 0) {
        const [earlier] = await partsOf(tx, accountId, groupKey, part.seq);
        // A resend is answered as the part was (OK, the same id): refusing it would tell the
        // client the message failed while its other parts go on to be charged and sent.
        if (!earlier || !deps.samePart(partOfRow(earlier), value)) {
          return { kind: "invalid", reason: `part ${part.seq} of ${part.total} came twice` };
        }
      }
      const rows = await partsOf(tx, accountId, groupKey);
      const values = wholeMessage(
        part.total,
        rows.map((row) => ({ seq: row.seq, value: partOfRow(row) })),
      );
      if (values === null) return { kind: "waiting", messageId };
      // Whole (or whole again: a resend after an accept whose replica stopped): this caller's.
      await tx`
        update smpp_server.concat_groups
        set completing_until = now() + ${COMPLETING_LEASE_MS} * interval '1 millisecond'
        where account_id = ${accountId} and group_key = ${groupKey}`;
      return { kind: "complete", messageId, values };
    });
  }

  /**
   * The group's message id, its row locked until the transaction ends, and whether an accept
   * of it holds a lease; opened with a new id when this is its first part. Null when the
   * account has too many waiting already.
   */
  async function openGroup(
    tx: postgres.TransactionSql,
    accountId: string,
    groupKey: string,
    key: ConcatKey,
    total: number,
  ): Promise<{ messageId: string; completing: boolean } | null> {
    const locked = async () => {
      const [row] = await tx<Array<{ message_id: string; completing: boolean }>>`
        select message_id, coalesce(completing_until > now(), false) as completing
        from smpp_server.concat_groups
        where account_id = ${accountId} and group_key = ${groupKey}
        for update`;
      return row ? { messageId: row.message_id, completing: row.completing } : null;
    };
    // A group found gone again (settled between this insert's conflict and the select) is
    // looked for once more: this part may open a new one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const open = await locked();
      if (open) return open;
      const [{ waiting } = { waiting: 0 }] = await tx<Array<{ waiting: number }>>`
        select count(*)::int as waiting from smpp_server.concat_groups
        where account_id = ${accountId}`;
      if (waiting >= deps.maxWaitingPerAccount) return null;
      const [opened] = await tx<Array<{ message_id: string }>>`
        insert into smpp_server.concat_groups
          (account_id, group_key, message_id, sender, recipient, total)
        values (${accountId}, ${groupKey}, ${deps.newMessageId()}, ${key.from}, ${key.to}, ${total})
        on conflict do nothing
        returning message_id`;
      if (opened) return { messageId: opened.message_id, completing: false };
      // Another replica's first part of the same message came at the same moment: its id.
    }
    throw new Error("a concatenated message's group kept changing while a part was added");
  }

  /**
   * The outcome of accepting a whole message `add` answered `complete`: `final` (accepted,
   * or refused for good) drops it; `retry` (the answer told the client to retry later: it
   * resends that last PDU alone, SMPP 3.4's 0x58 and 0x08) drops only that part, so its resend
   * completes the message again under the same id and the charge and the accepted event stay
   * once per id. `uncertain`: that answer left the message's fate open (it may have been
   * accepted): no REJECTD for it, whatever comes later. Not settled (the replica stopped, the
   * database failed), the lease lapses and the next resend of a part completes it again.
   */
  async function settle(
    accountId: string,
    key: ConcatKey,
    part: PartOf,
    outcome: { kind: "final" } | { kind: "retry"; uncertain: boolean },
  ): Promise<void> {
    const groupKey = groupKeyOf(key, part);
    await sql.begin(async (tx) => {
      if (outcome.kind === "final") {
        await dropGroups(tx, [accountId], [groupKey]);
        return;
      }
      await tx`
        delete from smpp_server.concat_parts
        where account_id = ${accountId} and group_key = ${groupKey} and seq = ${part.seq}`;
      await tx`
        update smpp_server.concat_groups
        set completing_until = null, uncertain = uncertain or ${outcome.uncertain},
          retried_at = now()
        where account_id = ${accountId} and group_key = ${groupKey}`;
    });
  }

  async function dropGroups(
    tx: postgres.TransactionSql,
    accounts: readonly string[],
    keys: readonly string[],
  ) {
    await tx`
      delete from smpp_server.concat_parts p
      using unnest(${accounts as string[]}::text[], ${keys as string[]}::text[]) as k(account_id, group_key)
      where p.account_id = k.account_id and p.group_key = k.group_key`;
    await tx`
      delete from smpp_server.concat_groups g
      using unnest(${accounts as string[]}::text[], ${keys as string[]}::text[]) as k(account_id, group_key)
      where g.account_id = k.account_id and g.group_key = k.group_key`;
  }

  /**
   * Drops the messages whose first part came longer than the timeout ago (the database's
   * clock), but not within RETRY_GRACE_MS of a "retry later" we answered. Their groups are
   * locked first, passing over any a part is being added to (it is the next sweep's); their
   * parts are read after, in a statement of their own, so a part committed meanwhile is not
   * left behind without its group.
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
        -- An accept whose lease lapsed left no outcome: it may have been accepted (uncertain).
        select account_id, group_key, message_id, sender, recipient, total,
          uncertain or completing_until is not null as uncertain
        from smpp_server.concat_groups
        where started_at < now() - ${deps.timeoutMs} * interval '1 millisecond'
          and (completing_until is null or completing_until < now())
          and (retried_at is null or retried_at < now() - ${RETRY_GRACE_MS} * interval '1 millisecond')
        order by started_at
        limit ${SWEEP_BATCH}
        for update skip locked`;
      if (groups.length === 0) return [];
      const accounts = groups.map((g) => g.account_id);
      const keys = groups.map((g) => g.group_key);
      // Per group: the parts that came, and each one's registered_delivery.
      const came = await tx<
        Array<{
          account_id: string;
          group_key: string;
          received: number;
          registered_deliveries: number[];
        }>
      >`
        select p.account_id, p.group_key, count(*)::int as received,
          array_agg(p.registered_delivery order by p.seq) as registered_deliveries
        from smpp_server.concat_parts p
        join unnest(${accounts}::text[], ${keys}::text[]) as k(account_id, group_key)
          on p.account_id = k.account_id and p.group_key = k.group_key
        group by p.account_id, p.group_key`;
      await dropGroups(tx, accounts, keys);
      const cameTo = new Map(came.map((c) => [`${c.account_id} ${c.group_key}`, c]));
      const dropped = groups.map((g) => {
        const its = cameTo.get(`${g.account_id} ${g.group_key}`);
        return {
          accountId: g.account_id,
          group: {
            messageId: g.message_id,
            key: { from: g.sender, to: g.recipient },
            received: its?.received ?? 0,
            total: g.total,
            registeredDelivery: registeredDeliveryOfParts(its?.registered_deliveries ?? []),
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
        { accountId, messageId, received, total, uncertain: group.uncertain },
        received < total
          ? "parts of a concatenated submit never all came; dropped, not charged"
          : "a concatenated submit whose accept left no outcome; dropped (it may have been accepted)",
      );
    }
    if (owed > 0) deps.onOwed(owed);
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
    settle,
    /** One sweep now (tests; the timer runs it every min(timeout, 10 s)). */
    expire,
    stop(): void {
      clearInterval(sweep);
    },
  };
}

export type ConcatStore = ReturnType<typeof startConcatStore>;
