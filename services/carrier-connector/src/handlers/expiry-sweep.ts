import { errorMessage, type Logger } from "@smsgw/service-kit";
import type { ExpiredMessage } from "../db/store.ts";
import { type ConnectorEvent, expiredEvent } from "../domain/events.ts";

export interface ExpirySweepDeps {
  findExpired(before: Date, limit: number): Promise<ExpiredMessage[]>;
  finishMessages(messageIds: readonly string[]): Promise<void>;
  publishAll(events: readonly ConnectorEvent[]): Promise<void>;
  log: Logger;
  now(): Date;
  intervalMs: number;
  /** Receipts may trail the validity a little: a message expires this long after it. */
  graceMs: number;
  batchSize?: number;
}

/**
 * Every `intervalMs`: messages with a part still waiting for its final receipt past their
 * validity (+ grace) become ValidityExpired, in batches (one query, one publish, one update
 * per batch). Publish before marking: a crash in between publishes again, and the event id
 * (`<messageId>:expired`) makes that one event. Two replicas sweeping at once do the same.
 */
export function startExpirySweep(deps: ExpirySweepDeps) {
  const batchSize = deps.batchSize ?? 500;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function sweepOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const now = deps.now();
      const expired = await deps.findExpired(new Date(now.getTime() - deps.graceMs), batchSize);
      if (expired.length === 0) return total;
      const events = expired.map((m) => {
        const trace = m.traceparent
          ? { traceparent: m.traceparent, ...(m.tracestate ? { tracestate: m.tracestate } : {}) }
          : undefined;
        return expiredEvent(
          { messageId: m.messageId, accountId: m.accountId, trace },
          m.carrierId,
          m.validUntil,
          now,
        );
      });
      await deps.publishAll(events);
      await deps.finishMessages(expired.map((m) => m.messageId));
      total += expired.length;
      deps.log.info(
        { messages: expired.length },
        "messages expired (no final receipt by validity)",
      );
      if (expired.length < batchSize || stopped) return total;
    }
  }

  const timer = setInterval(() => {
    if (running) return;
    running = sweepOnce()
      .then(() => undefined)
      .catch((error: unknown) => deps.log.warn({ err: errorMessage(error) }, "expiry sweep failed"))
      .finally(() => {
        running = undefined;
      });
  }, deps.intervalMs);
  timer.unref();

  return {
    sweepOnce,
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
