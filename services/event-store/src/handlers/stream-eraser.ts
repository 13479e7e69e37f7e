import {
  type Logger,
  type Nats,
  type StreamErasureQueue,
  startStreamEraser,
} from "@smsgw/service-kit";
import type postgres from "postgres";
import {
  dropQueuedCopies,
  forgetBelow,
  queuedStreamCopies,
  queueLateEnvelopes,
} from "../db/stream-erasure.ts";
import { streamCopiesErased, streamCopiesWaiting } from "../metrics.ts";

/** The event store's queue (`stream_erasures`), with its late status envelopes queued before each run. */
export function eventStoreErasureQueue(sql: postgres.Sql): StreamErasureQueue {
  return {
    beforeRun: () => queueLateEnvelopes(sql),
    queued: (limit) => queuedStreamCopies(sql, limit),
    drop: (seqs) => dropQueuedCopies(sql, seqs),
    forgetBelow: (firstSeq) => forgetBelow(sql, firstSeq),
  };
}

/**
 * The event store's stream eraser (ADR 0021, the stream's copies): the service kit's, on the
 * copies its erasures queue, every `intervalMs` and at once when kicked (after a redact).
 */
export function startEventStoreEraser(options: {
  sql: postgres.Sql;
  jsm: Nats["jsm"];
  stream: string;
  log: Logger;
  intervalMs: number;
}): { kick(): void; stop(): Promise<void> } {
  return startStreamEraser({
    queue: eventStoreErasureQueue(options.sql),
    jsm: options.jsm,
    stream: options.stream,
    log: options.log,
    intervalMs: options.intervalMs,
    observe({ erased, waiting }) {
      streamCopiesWaiting.set(waiting);
      if (erased > 0) streamCopiesErased.inc(erased);
    },
  });
}
