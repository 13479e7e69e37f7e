import type { StoredEnvelope } from "@smsgw/service-kit";
import type postgres from "postgres";
import { appendAndReadProjections } from "./event-log.ts";

/**
 * Where the status-change envelopes went (each carries its messages' numbers), recorded with
 * no statement of its own on the hot path: the envelopes a batch published ride into the next
 * batch's transaction (`appendAndReadProjections` takes `pending()`, then `recorded`). When no
 * batch follows within `idleMs` they are written alone (`flush`), and at stop; one recorded
 * after its message was erased is queued by the eraser (`queueLateEnvelopes`). A crash between
 * a batch's ack and that write loses where its envelopes went: those copies then age out of
 * the stream (7 days at most) instead of being deleted on erasure (ADR 0021).
 */
export interface StatusPublishLog {
  /** After a batch's publishes, before its ack: where its envelopes went. */
  add(stored: readonly StoredEnvelope[]): void;
  /** The envelopes not recorded yet, for the next transaction to carry. */
  pending(): readonly StoredEnvelope[];
  /** The transaction that carried these committed. */
  recorded(envelopes: readonly StoredEnvelope[]): void;
  /** Writes what is pending in a statement of its own (idle, or at stop). */
  flush(): Promise<void>;
}

export function createStatusPublishLog(
  sql: postgres.Sql,
  options: { idleMs?: number; onError?(error: unknown): void } = {},
): StatusPublishLog & { close(): Promise<void> } {
  const idleMs = options.idleMs ?? 1_000;
  let pending: StoredEnvelope[] = [];
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      log.flush().catch((error: unknown) => {
        options.onError?.(error);
        schedule();
      });
    }, idleMs);
    timer.unref();
  };
  const log: StatusPublishLog & { close(): Promise<void> } = {
    add(stored) {
      if (stored.length === 0) return;
      pending.push(...stored);
      schedule();
    },
    pending: () => pending,
    recorded(envelopes) {
      const done = new Set(envelopes);
      pending = pending.filter((envelope) => !done.has(envelope));
    },
    async flush() {
      const snapshot = pending;
      if (snapshot.length === 0) return;
      // The batch statement with no events records them the same way.
      await sql.begin((tx) => appendAndReadProjections(tx, [], [], snapshot));
      log.recorded(snapshot);
    },
    async close() {
      clearTimeout(timer);
      timer = undefined;
      await log.flush();
    },
  };
  return log;
}
