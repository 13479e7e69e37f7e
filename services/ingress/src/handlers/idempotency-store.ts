import type { Database } from "@smsgw/service-kit";
import { erasedAnswerBody } from "../domain/erased-answer.ts";
import { decideOnKey, type StoredKey } from "../domain/idempotency.ts";

export type Claim =
  | { kind: "owner"; messageId: string }
  | { kind: "replay"; httpStatus: number; body: string }
  | { kind: "reused" }
  | { kind: "timeout" };

export interface IdempotencyStore {
  /**
   * Claims the key for this request (insert-on-conflict), or waits until the request
   * that claimed it first has stored its answer (polling the row, so this holds across
   * replicas: the row is the lock). `newMessageId` is used only by a fresh claim.
   */
  claim(input: {
    accountId: string;
    key: string;
    fingerprint: string;
    newMessageId: string;
    deadline: number;
  }): Promise<Claim>;
  /**
   * The answer stored under the key for this body (state done, within the retention), or
   * null: nothing is claimed or waited for.
   */
  stored(
    accountId: string,
    key: string,
    fingerprint: string,
  ): Promise<{ httpStatus: number; body: string } | null>;
  /** Stores the answer to replay (state done). */
  complete(accountId: string, key: string, httpStatus: number, body: string): Promise<void>;
  /** Releases the key after a server error: the next retry takes it over with the same messageId. */
  release(accountId: string, key: string): Promise<void>;
  /** The key's request sends under these ids from now on (the old ones were refunded: spent). */
  renew(accountId: string, key: string, newMessageId: string): Promise<void>;
  /** Deletes keys older than the retention; returns how many. */
  purge(): Promise<number>;
  /**
   * Masks an erased message's number in the account's stored answers (ADR 0021); the key
   * stays, so a retry still replays instead of sending again. Reads the account's keys of
   * the last IDEMPOTENCY_TTL_HOURS: an erasure is rare and asked one message at a time.
   */
  eraseMessage(accountId: string, messageId: string): Promise<void>;
}

const POLL_MS = 20;

export function createIdempotencyStore(
  sql: Database<unknown>["sql"],
  options: { ttlHours: number; staleAfterMs: number; now(): number },
): IdempotencyStore {
  const ttl = `${options.ttlHours} hours`;
  const stale = `${options.staleAfterMs} milliseconds`;
  return {
    async claim({ accountId, key, fingerprint, newMessageId, deadline }) {
      // A fresh key, or one past its retention, is ours at once.
      const [fresh] = await sql<{ message_id: string }[]>`
        insert into ingress.idempotency_keys (account_id, key, fingerprint, message_id, state)
        values (${accountId}, ${key}, ${fingerprint}, ${newMessageId}, 'pending')
        on conflict (account_id, key) do update set
          fingerprint = excluded.fingerprint, message_id = excluded.message_id,
          state = 'pending', claimed_at = now(), created_at = now(), http_status = null, body = null
        where idempotency_keys.created_at < now() - ${ttl}::interval
        returning message_id`;
      if (fresh) return { kind: "owner", messageId: fresh.message_id };

      for (;;) {
        const [row] = await sql<
          {
            fingerprint: string;
            message_id: string;
            state: StoredKey["state"];
            claimed_at: Date;
            http_status: number | null;
            body: string | null;
          }[]
        >`select fingerprint, message_id, state, claimed_at, http_status, body
          from ingress.idempotency_keys where account_id = ${accountId} and key = ${key}`;
        // Purged between the insert and here: claim it afresh.
        if (!row) return this.claim({ accountId, key, fingerprint, newMessageId, deadline });
        const decision = decideOnKey(
          {
            fingerprint: row.fingerprint,
            messageId: row.message_id,
            state: row.state,
            claimedAt: row.claimed_at.getTime(),
            httpStatus: row.http_status,
            body: row.body,
          },
          fingerprint,
          options.now(),
          options.staleAfterMs,
        );
        if (decision.kind === "replay" || decision.kind === "reused") return decision;
        if (decision.kind === "take_over") {
          // Only one of several waiters wins the take-over; the others go on waiting.
          const [taken] = await sql<{ message_id: string }[]>`
            update ingress.idempotency_keys set state = 'pending', claimed_at = now()
            where account_id = ${accountId} and key = ${key} and fingerprint = ${fingerprint}
              and (state = 'open'
                or (state = 'pending' and claimed_at < now() - ${stale}::interval))
            returning message_id`;
          if (taken) return { kind: "owner", messageId: taken.message_id };
        }
        if (options.now() + POLL_MS >= deadline) return { kind: "timeout" };
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async stored(accountId, key, fingerprint) {
      const [row] = await sql<{ http_status: number; body: string }[]>`
        select http_status, body from ingress.idempotency_keys
        where account_id = ${accountId} and key = ${key} and fingerprint = ${fingerprint}
          and state = 'done' and http_status is not null and body is not null
          and created_at >= now() - ${ttl}::interval`;
      return row ? { httpStatus: row.http_status, body: row.body } : null;
    },
    async complete(accountId, key, httpStatus, body) {
      await sql`
        update ingress.idempotency_keys set state = 'done', http_status = ${httpStatus}, body = ${body}
        where account_id = ${accountId} and key = ${key}`;
    },
    async release(accountId, key) {
      await sql`
        update ingress.idempotency_keys set state = 'open'
        where account_id = ${accountId} and key = ${key} and state = 'pending'`;
    },
    async renew(accountId, key, newMessageId) {
      await sql`
        update ingress.idempotency_keys set message_id = ${newMessageId}
        where account_id = ${accountId} and key = ${key} and state = 'pending'`;
    },
    async eraseMessage(accountId, messageId) {
      const rows = await sql<Array<{ key: string; body: string }>>`
        select key, body from ingress.idempotency_keys
        where account_id = ${accountId} and body is not null and strpos(body, ${messageId}) > 0`;
      for (const row of rows) {
        const body = erasedAnswerBody(row.body, messageId);
        if (body === row.body) continue;
        await sql`
          update ingress.idempotency_keys set body = ${body}
          where account_id = ${accountId} and key = ${row.key}`;
      }
    },
    async purge() {
      const rows = await sql`
        delete from ingress.idempotency_keys where created_at < now() - ${ttl}::interval`;
      return rows.count;
    },
  };
}
