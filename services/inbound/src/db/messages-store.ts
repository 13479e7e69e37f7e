import type { Database } from "@smsgw/service-kit";
import type { JoinedMessage, StoredPart } from "../domain/concat.ts";
import type { InboundCursor } from "../domain/cursor.ts";
import type { KeywordMessage } from "../domain/opt-outs.ts";

/**
 * An inbound message as stored (`inbound.messages`); accountId null: nobody owned the number;
 * text null: erased (ADR 0021, amendment 2), its sender masked.
 */
export interface InboundMessage extends Omit<JoinedMessage, "text"> {
  text: string | null;
  accountId: string | null;
  carrierId: string;
  from: string;
  to: string;
}

interface MessageRow {
  id: string;
  account_id: string | null;
  carrier_id: string;
  from_number: string;
  to_number: string;
  text: string | null;
  parts: number;
  received_at: Date;
  /** bigint[]: the driver answers strings. */
  stream_seqs: string[];
}

const fromRow = (row: MessageRow): InboundMessage => ({
  id: row.id,
  accountId: row.account_id,
  carrierId: row.carrier_id,
  from: row.from_number,
  to: row.to_number,
  text: row.text,
  parts: row.parts,
  receivedAt: row.received_at.toISOString(),
  streamSeqs: row.stream_seqs.map(Number),
});

interface PartRow {
  mo_id: string;
  seq: number;
  total: number;
  text: string;
  received_at: Date;
  stream_seq: string | null;
  data_coding: number | null;
  octets: Uint8Array | null;
}

const partOf = (row: PartRow): StoredPart => ({
  moId: row.mo_id,
  seq: row.seq,
  total: row.total,
  text: row.text,
  receivedAt: row.received_at.toISOString(),
  streamSeq: row.stream_seq === null ? null : Number(row.stream_seq),
  dataCoding: row.data_coding,
  octets: row.octets,
});

/** The statements of one group's transaction (see `withGroup`). */
export interface GroupTransaction {
  /**
   * Stores a part once: false when it was not added (a redelivered part, or a carrier's
   * repeat of one waiting in its place).
   */
  addPart(groupKey: string, part: StoredPart): Promise<boolean>;
  waitingParts(groupKey: string): Promise<StoredPart[]>;
  /**
   * Records the message (once: a re-run finds it there) and marks its parts joined; answers
   * the message as stored (a re-run's, as the first run stored it).
   */
  record(message: InboundMessage, partIds: readonly string[]): Promise<InboundMessage>;
  /** The message a part already went into (its event is being redelivered), if any. */
  joinedMessageOf(moId: string): Promise<InboundMessage | undefined>;
}

/** Inbound messages and the parts waiting to be joined, in the service's schema. */
export function createMessageStore(database: Database<unknown>) {
  const { sql } = database;

  const statements = (tx: typeof sql): GroupTransaction => ({
    async joinedMessageOf(moId) {
      const [row] = await tx<MessageRow[]>`
        select m.* from parts p join messages m on m.id = p.joined_into where p.mo_id = ${moId}`;
      return row ? fromRow(row) : undefined;
    },
    async addPart(groupKey, part) {
      const added = await tx`
        insert into parts (mo_id, group_key, seq, total, text, received_at, stream_seq,
                           data_coding, octets)
        values (${part.moId}, ${groupKey}, ${part.seq}, ${part.total}, ${part.text},
                ${part.receivedAt}, ${part.streamSeq}, ${part.dataCoding},
                ${part.octets === null ? null : Buffer.from(part.octets)})
        on conflict do nothing
        returning mo_id`;
      return added.length > 0;
    },
    async waitingParts(groupKey) {
      const rows = await tx<PartRow[]>`
        select mo_id, seq, total, text, received_at, stream_seq, data_coding, octets from parts
        where group_key = ${groupKey} and joined_into is null
        order by seq`;
      return rows.map(partOf);
    },
    async record(message, partIds) {
      const [inserted] = await tx<MessageRow[]>`
        insert into messages (id, account_id, carrier_id, from_number, to_number, text, parts,
                              received_at, stream_seqs)
        values (${message.id}, ${message.accountId}, ${message.carrierId}, ${message.from},
                ${message.to}, ${message.text}, ${message.parts}, ${message.receivedAt},
                ${message.streamSeqs as number[]}::bigint[])
        on conflict (id) do nothing
        returning *`;
      if (partIds.length > 0) {
        await tx`update parts set joined_into = ${message.id} where mo_id = any(${partIds as string[]})`;
      }
      const [row] = inserted
        ? [inserted]
        : await tx<MessageRow[]>`select * from messages where id = ${message.id}`;
      return row ? fromRow(row) : message;
    },
  });

  return {
    /**
     * Runs `work` in one transaction holding the group's lock, so that two replicas (or two
     * batches) taking parts of one message never both wait for the other's part.
     */
    async withGroup<T>(groupKey: string, work: (tx: GroupTransaction) => Promise<T>): Promise<T> {
      return (await sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtext(${groupKey}))`;
        return work(statements(tx as unknown as typeof sql));
      })) as T;
    },

    /**
     * Runs `work` holding the lock of the sender's keywords to the account (one transaction),
     * with the sender's messages to the account that came at `since` or later, so that its STOP
     * and START are applied in the order they came even when handled at once by two replicas:
     * each message is stored before its keyword takes this lock.
     */
    async withSenderKeywords<T>(
      accountId: string,
      from: string,
      since: string,
      work: (later: KeywordMessage[]) => Promise<T>,
    ): Promise<T> {
      return (await sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtext(${`keywords|${accountId}|${from}`}))`;
        const rows = await tx<Array<{ id: string; text: string | null; received_at: Date }>>`
          select id, text, received_at from messages
          where account_id = ${accountId} and from_number = ${from} and received_at >= ${since}`;
        return work(
          rows.map((row) => ({
            id: row.id,
            text: row.text ?? "",
            receivedAt: row.received_at.toISOString(),
          })),
        );
      })) as T;
    },

    /** Records a message that needs no joining; answers it as stored. */
    async record(message: InboundMessage): Promise<InboundMessage> {
      return statements(sql).record(message, []);
    },

    /**
     * Notes more stream copies of stored messages (ADR 0021, amendment 4): their deliveries'
     * (the PubAck's sequence), and an event redelivered after its message was erased. One
     * statement for a consumer batch; a copy of a message erased already is queued for the
     * stream eraser at once, since its erasure could not know it. A delivery's copy also marks
     * its message published (`published_at`): the sweep leaves it alone from then on.
     */
    async noteStreamCopies(
      copies: ReadonlyArray<{ id: string; seq: number; delivery: boolean }>,
    ): Promise<void> {
      if (copies.length === 0) return;
      await sql`
        with noted as (
          update messages m
          set stream_seqs = array(select distinct s from unnest(m.stream_seqs || x.seqs) s order by s),
              published_at = case when x.delivery then coalesce(m.published_at, now())
                else m.published_at end
          from (
            select id, array_agg(seq) as seqs, bool_or(delivery = 1) as delivery
            from unnest(${copies.map((c) => c.id)}::text[], ${copies.map((c) => c.seq)}::bigint[],
                        ${copies.map((c) => (c.delivery ? 1 : 0))}::int[])
              as c(id, seq, delivery)
            group by id
          ) x
          where m.id = x.id
            and (not x.seqs <@ m.stream_seqs or (x.delivery and m.published_at is null))
          returning m.erased_at, x.seqs
        )
        insert into stream_erasures (seq)
        select distinct unnest(seqs) from noted where erased_at is not null
        on conflict (seq) do nothing`;
    },

    /**
     * An account's messages (not erased) stored before `before` whose delivery no PubAck has
     * confirmed yet (`noteStreamCopies`), oldest first: the sweep publishes them again.
     */
    async unpublished(before: Date, limit: number): Promise<InboundMessage[]> {
      const rows = await sql<MessageRow[]>`
        select * from messages
        where published_at is null and account_id is not null and text is not null
          and created_at <= ${before}
        order by created_at limit ${limit}`;
      return rows.map(fromRow);
    },

    /** The groups whose first waiting part came before `before` (the timeout sweep). */
    async overdueGroups(before: Date, limit: number): Promise<string[]> {
      const rows = await sql<{ group_key: string }[]>`
        select distinct group_key from parts
        where joined_into is null and received_at <= ${before}
        limit ${limit}`;
      return rows.map((r) => r.group_key);
    },

    /**
     * Deletes joined parts that came before `before`: they only serve to recognise an event
     * JetStream delivers again, which happens within minutes, not days.
     */
    async pruneJoinedParts(before: Date): Promise<number> {
      const result = await sql`
        delete from parts where joined_into is not null and received_at < ${before}`;
      return result.count;
    },

    /** An account's inbound messages, newest first, after the cursor; one more than `limit` says there are more. */
    async list(accountId: string, cursor: InboundCursor | null, limit: number) {
      const rows = await sql<MessageRow[]>`
        select * from messages
        where account_id = ${accountId}
          ${cursor ? sql`and (received_at, id) < (${cursor.receivedAt}::timestamptz, ${cursor.id})` : sql``}
        order by received_at desc, id desc
        limit ${limit + 1}`;
      return rows.map(fromRow);
    },

    /** One of the account's inbound messages (another account's is not found). */
    async get(accountId: string, id: string): Promise<InboundMessage | undefined> {
      const [row] = await sql<MessageRow[]>`
        select * from messages where id = ${id} and account_id = ${accountId}`;
      return row ? fromRow(row) : undefined;
    },

    /** MO sent to numbers nobody owned, newest first: the operator's to look at. */
    async unowned(limit: number): Promise<InboundMessage[]> {
      const rows = await sql<MessageRow[]>`
        select * from messages where account_id is null
        order by received_at desc, id desc limit ${limit}`;
      return rows.map(fromRow);
    },
  };
}

export type MessageStore = ReturnType<typeof createMessageStore>;
