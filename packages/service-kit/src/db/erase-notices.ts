import type postgres from "postgres";
import { errorMessage } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { EraseNotifier } from "../nats/erase-notice.ts";

/** How much a resend takes on: `batch` ids a notice, `maxBatches` notices at most. */
export interface ResendLimits {
  batch: number;
  maxBatches: number;
}

/**
 * The erasure notices not stored yet (ADR 0021): the ids of the messages a service erased,
 * kept in `<schema>.erase_notices` (`message_id text primary key`) from the erasure's
 * transaction until their `MessagesErased` is stored in the stream. A notice lost to a failed
 * publish or a crash after the commit is sent again from there, where the erased rows alone
 * would never be picked again. The event store's and the inbound service's.
 */
export interface EraseNoticeOutbox {
  /** In the erasure's transaction: these ids wait for their notice. */
  note(tx: postgres.TransactionSql, messageIds: readonly string[]): Promise<void>;
  /** Publishes the notice of these ids with `notify`, then forgets them; one that fails stays. */
  send(messageIds: readonly string[], notify: EraseNotifier): Promise<void>;
  /**
   * Up to `limit` ids whose notice is not stored yet, in id order, so that replicas sending
   * the same ones again publish the same chunks (one Nats-Msg-Id each).
   */
  unsent(limit: number): Promise<string[]>;
  /** Sends again what waits, `batch` ids at a time; answers how many. A failure is thrown. */
  resend(notify: EraseNotifier, limits: ResendLimits): Promise<number>;
  /**
   * A retention run's first step: sends again what waits, and logs it; an outage of the
   * stream is logged and must not hold back the erasing that follows (the next run retries).
   */
  resendBeforeRun(notify: EraseNotifier, limits: ResendLimits, log: Logger): Promise<void>;
}

/** `<schema>.erase_notices` of the service's schema (a name from code, never from input). */
export function eraseNoticeTable(sql: postgres.Sql, schema: string): EraseNoticeOutbox {
  const table = sql(`${schema}.erase_notices`);
  const outbox: EraseNoticeOutbox = {
    async note(tx, messageIds) {
      if (messageIds.length === 0) return;
      await tx`
        insert into ${table} (message_id)
        select unnest(${[...messageIds]}::text[])
        on conflict (message_id) do nothing`;
    },
    async send(messageIds, notify) {
      if (messageIds.length === 0) return;
      await notify(messageIds);
      await sql`delete from ${table} where message_id = any(${[...messageIds]}::text[])`;
    },
    async unsent(limit) {
      const rows = await sql<Array<{ message_id: string }>>`
        select message_id from ${table} order by message_id limit ${limit}`;
      return rows.map((row) => row.message_id);
    },
    async resend(notify, { batch, maxBatches }) {
      let sent = 0;
      for (let i = 0; i < maxBatches; i++) {
        const ids = await outbox.unsent(batch);
        await outbox.send(ids, notify);
        sent += ids.length;
        if (ids.length < batch) break;
      }
      return sent;
    },
    async resendBeforeRun(notify, limits, log) {
      try {
        const sent = await outbox.resend(notify, limits);
        if (sent > 0) log.info({ sent }, "retention: erasure notices sent again");
      } catch (error) {
        log.warn({ err: errorMessage(error) }, "erasure notices not sent again; next run retries");
      }
    },
  };
  return outbox;
}
