import { type Kysely, type Selectable, sql } from "kysely";
import type { SubmitFailure } from "../domain/events.ts";
import type { ConnectorDatabase } from "./schema.ts";

export interface SubmissionKey {
  messageId: string;
  attempt: number;
}

export interface Claim extends SubmissionKey {
  carrierId: string;
  /** The replica claiming (its submit runs there). */
  claimedBy?: string | undefined;
  /** Decided before any submit (not configured, no bind, content): recorded with the claim. */
  failure?: SubmitFailure | undefined;
}

/** A claim as stored: when it was made and the failure it ended in, if any. */
export interface StoredClaim extends SubmissionKey {
  carrierId: string;
  claimedAt: Date;
  claimedBy: string | null;
  failure: SubmitFailure | null;
}

/** An accepted part of a message, as reconciliation needs it. */
export interface StoredPart {
  messageId: string;
  carrierId: string;
  part: number;
  covers: number;
  totalParts: number;
  /** As the carrier wrote it (the normalized id for rows from before 0004). */
  carrierMessageId: string;
  submittedAt: Date;
}

export interface PartRow {
  carrierId: string;
  /** Normalized. */
  carrierMessageId: string;
  /** As the carrier wrote it (kept for reconciliation); absent in rows read back. */
  rawId?: string;
  messageId: string;
  accountId: string;
  part: number;
  totalParts: number;
  traceparent: string | null;
  tracestate: string | null;
  /** Past it (and a grace) with no final receipt, the message is swept as expired. */
  validUntil: Date;
  /** Parts from `part` on that this id stands for (message_payload: all of them). */
  covers: number;
  /** When its submit_sm_resp was stored (rows read back; receipt latency). */
  submittedAt?: Date;
  /** The order's score key (null: stored before 0006), so its receipt counts for routing. */
  scoreKey?: string | null;
  /** Its final receipt was already counted (rows read back). */
  final?: boolean;
}

/** A message past its validity with a part still waiting for its final receipt. */
export interface ExpiredMessage {
  messageId: string;
  accountId: string;
  carrierId: string;
  validUntil: Date;
  traceparent: string | null;
  tracestate: string | null;
}

export interface PartKey {
  carrierId: string;
  /** Normalized. */
  carrierMessageId: string;
}

/** One holder of a carrier id: the part it was given to. */
export interface HolderKey extends PartKey {
  messageId: string;
  part: number;
}

export const submissionKey = (k: SubmissionKey) => `${k.messageId}:${k.attempt}`;
export const partKey = (k: PartKey) => `${k.carrierId}\u0000${k.carrierMessageId}`;

// Postgres takes at most 65,535 parameters a statement: big batches go in chunks.
const ROWS_PER_STATEMENT = 1_000;

/** The connector's reads and writes, each one statement per batch. */
export function createConnectorStore(db: Kysely<ConnectorDatabase>) {
  return {
    /**
     * Claims submissions; returns the keys that were not claimed before (submit those). The
     * rows carry `token`, so a claim whose answer was lost can be given back (`giveBack`).
     */
    async claim(claims: readonly Claim[], token?: string): Promise<Set<string>> {
      const won = new Set<string>();
      for (const chunk of chunks(claims)) {
        const rows = await db
          .insertInto("submissions")
          .values(
            chunk.map((c) => ({
              message_id: c.messageId,
              attempt: c.attempt,
              carrier_id: c.carrierId,
              claimed_by: c.claimedBy ?? null,
              claim_token: token ?? null,
              // As text cast to jsonb: postgres.js would store a JS string as a JSON string.
              failure: c.failure ? sql<unknown>`${JSON.stringify(c.failure)}::text::jsonb` : null,
            })),
          )
          .onConflict((oc) => oc.columns(["message_id", "attempt"]).doNothing())
          .returning(["message_id", "attempt"])
          .execute();
        for (const row of rows)
          won.add(submissionKey({ messageId: row.message_id, attempt: row.attempt }));
      }
      return won;
    },

    /**
     * Gives back the claims of these keys that the claiming statement with `token` made: its
     * answer was lost, so it may have made some, and nothing was submitted for them. A claim
     * another statement made (an earlier delivery's, another replica's) stays.
     */
    async giveBack(keys: readonly SubmissionKey[], token: string): Promise<void> {
      for (const chunk of chunks(keys)) {
        await db
          .deleteFrom("submissions")
          .where((eb) =>
            eb.and([
              eb(
                eb.refTuple("message_id", "attempt"),
                "in",
                chunk.map((k) => eb.tuple(k.messageId, k.attempt)),
              ),
              eb("claim_token", "=", token),
            ]),
          )
          .execute();
      }
    },

    /** Gives claims back: nothing of those messages reached the carrier. */
    async release(keys: readonly SubmissionKey[]): Promise<void> {
      for (const chunk of chunks(keys)) {
        await db
          .deleteFrom("submissions")
          .where((eb) =>
            eb(
              eb.refTuple("message_id", "attempt"),
              "in",
              chunk.map((k) => eb.tuple(k.messageId, k.attempt)),
            ),
          )
          .execute();
      }
    },

    /**
     * Stores the id map of accepted parts. A carrier may give an id again (after a restart,
     * when a counter wraps): the new holder gets a row beside the old one's, and a receipt
     * goes to the newest (domain/receipt-match). The same part stored again (a retry) is
     * already there and is left as it is, final mark included.
     */
    async recordParts(parts: readonly PartRow[]): Promise<void> {
      for (const chunk of chunks(parts)) {
        await db
          .insertInto("parts")
          .values(
            chunk.map((p) => ({
              carrier_id: p.carrierId,
              carrier_message_id: p.carrierMessageId,
              message_id: p.messageId,
              account_id: p.accountId,
              part: p.part,
              total_parts: p.totalParts,
              traceparent: p.traceparent,
              tracestate: p.tracestate,
              valid_until: p.validUntil,
              covers: p.covers,
              raw_id: p.rawId ?? null,
              score_key: p.scoreKey ?? null,
            })),
          )
          .onConflict((oc) =>
            oc.columns(["carrier_id", "carrier_message_id", "message_id", "part"]).doNothing(),
          )
          .execute();
      }
    },

    /** Records the SubmitFailed each claim ended in (one statement per chunk). */
    async recordFailures(
      rows: ReadonlyArray<SubmissionKey & { failure: SubmitFailure }>,
    ): Promise<void> {
      for (const chunk of chunks(rows)) {
        await db
          .updateTable("submissions as s")
          .from(
            sql<{
              message_id: string;
              attempt: number;
              failure: string;
            }>`(values ${sql.join(
              chunk.map(
                (r) => sql`(${r.messageId}, ${r.attempt}::integer, ${JSON.stringify(r.failure)})`,
              ),
            )})`.as(sql`v(message_id, attempt, failure)`),
          )
          .set({ failure: sql`v.failure::jsonb` })
          .whereRef("s.message_id", "=", sql.ref("v.message_id"))
          .whereRef("s.attempt", "=", sql.ref("v.attempt"))
          .where("s.failure", "is", null)
          .execute();
      }
    },

    /** The stored claims of these submissions, keyed by `submissionKey`. */
    async findClaims(keys: readonly SubmissionKey[]): Promise<Map<string, StoredClaim>> {
      const found = new Map<string, StoredClaim>();
      for (const chunk of chunks(keys)) {
        const rows = await db
          .selectFrom("submissions")
          .selectAll()
          .where((eb) =>
            eb(
              eb.refTuple("message_id", "attempt"),
              "in",
              chunk.map((k) => eb.tuple(k.messageId, k.attempt)),
            ),
          )
          .execute();
        for (const row of rows) {
          const failure = typeof row.failure === "string" ? JSON.parse(row.failure) : row.failure;
          const claim: StoredClaim = {
            messageId: row.message_id,
            attempt: row.attempt,
            carrierId: row.carrier_id,
            claimedAt: new Date(row.claimed_at),
            claimedBy: row.claimed_by ?? null,
            failure: (failure as SubmitFailure | null) ?? null,
          };
          found.set(submissionKey(claim), claim);
        }
      }
      return found;
    },

    /** The accepted parts of these messages (any carrier; the caller filters). */
    async findPartsOfMessages(messageIds: readonly string[]): Promise<StoredPart[]> {
      const out: StoredPart[] = [];
      for (const chunk of chunks(messageIds)) {
        const rows = await db
          .selectFrom("parts")
          .select([
            "message_id",
            "carrier_id",
            "part",
            "covers",
            "total_parts",
            "carrier_message_id",
            "raw_id",
            "submitted_at",
          ])
          .where("message_id", "in", chunk)
          .execute();
        for (const row of rows) {
          out.push({
            messageId: row.message_id,
            carrierId: row.carrier_id,
            part: row.part,
            covers: row.covers,
            totalParts: row.total_parts,
            carrierMessageId: row.raw_id ?? row.carrier_message_id,
            submittedAt: new Date(row.submitted_at),
          });
        }
      }
      return out;
    },

    /**
     * Every stored holder of these carrier ids, keyed by `partKey` (one, unless the carrier
     * gave the id again). Joined on unnested key arrays: one index probe per key whatever the
     * table's size (a row-value IN list with one carrier degrades to scanning every part of
     * that carrier).
     */
    async findParts(keys: readonly PartKey[]): Promise<Map<string, PartRow[]>> {
      const found = new Map<string, PartRow[]>();
      for (const chunk of chunks(keys)) {
        const { rows } = await sql<Selectable<ConnectorDatabase["parts"]>>`
          select p.* from parts p
          join unnest(${chunk.map((k) => k.carrierId)}::text[], ${chunk.map((k) => k.carrierMessageId)}::text[]) as k(c, m)
            on p.carrier_id = k.c and p.carrier_message_id = k.m`.execute(db);
        for (const row of rows) {
          const part: PartRow = {
            carrierId: row.carrier_id,
            carrierMessageId: row.carrier_message_id,
            messageId: row.message_id,
            accountId: row.account_id,
            part: row.part,
            totalParts: row.total_parts,
            traceparent: row.traceparent,
            tracestate: row.tracestate,
            validUntil: row.valid_until,
            covers: row.covers,
            submittedAt: new Date(row.submitted_at),
            scoreKey: row.score_key ?? null,
            final: row.final,
          };
          const key = partKey(part);
          const holders = found.get(key);
          if (holders) holders.push(part);
          else found.set(key, [part]);
        }
      }
      return found;
    },

    /**
     * Parts whose final receipt arrived: the expiry sweep passes them by. Only the holder
     * named: another holder of the same id waits for its own receipt. One statement.
     */
    async markFinal(keys: readonly HolderKey[]): Promise<void> {
      for (const chunk of chunks(keys)) {
        await sql`
          update parts p set final = true
          from unnest(
            ${chunk.map((k) => k.carrierId)}::text[],
            ${chunk.map((k) => k.carrierMessageId)}::text[],
            ${chunk.map((k) => k.messageId)}::text[],
            ${chunk.map((k) => k.part)}::integer[]
          ) as k(c, m, msg, n)
          where p.carrier_id = k.c and p.carrier_message_id = k.m
            and p.message_id = k.msg and p.part = k.n`.execute(db);
      }
    },

    /** Up to `limit` messages with a part not final and valid before `before`. */
    async findExpired(before: Date, limit: number): Promise<ExpiredMessage[]> {
      const rows = await db
        .selectFrom("parts")
        .select((eb) => [
          "message_id",
          "account_id",
          "carrier_id",
          eb.fn.min("valid_until").as("valid_until"),
          eb.fn.max("traceparent").as("traceparent"),
          eb.fn.max("tracestate").as("tracestate"),
        ])
        .where("final", "=", false)
        .where("valid_until", "<", before)
        .groupBy(["message_id", "account_id", "carrier_id"])
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        messageId: r.message_id,
        accountId: r.account_id,
        carrierId: r.carrier_id,
        validUntil: new Date(r.valid_until),
        traceparent: r.traceparent,
        tracestate: r.tracestate,
      }));
    },

    /** Every part of these messages is done with (expired): one statement per chunk. */
    async finishMessages(messageIds: readonly string[]): Promise<void> {
      for (const chunk of chunks(messageIds)) {
        await db
          .updateTable("parts")
          .set({ final: true })
          .where("message_id", "in", chunk)
          .execute();
      }
    },
  };
}

export type ConnectorStore = ReturnType<typeof createConnectorStore>;

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) {
    yield items.slice(i, i + ROWS_PER_STATEMENT);
  }
}
