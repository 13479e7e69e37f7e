import { acceptanceVoid, MessageAccepted, MessageEvent, type Subjects } from "@smsgw/contracts";
import {
  ACK,
  type Logger,
  type Nats,
  type RunningConsumer,
  singleOrBatch,
  startConsumer,
  unbatch,
} from "@smsgw/service-kit";
import type { Kysely } from "kysely";
import { refundBatch } from "../db/refunds.ts";
import type { PricingDatabase } from "../db/schema.ts";
import { acceptanceLogStart, recordAcceptances } from "../db/settlement.ts";
import type { OutboxPublisher } from "./outbox-publisher.ts";

/**
 * The two consumers that settle charges:
 * - `pricing-failed`: a message that ended `failed` (no carrier took it) is refunded,
 *   once, however often MessageFailed is delivered;
 * - `pricing-acceptance-log`: the MessageAccepted read, a batch to a row of the acceptance
 *   log (db/settlement.ts): the sweep refunds the charges it never names.
 * Both work a whole delivered batch in one statement or transaction; a database error
 * throws, and the batch is redelivered later (nothing is acked unprocessed).
 */
export interface SettlementConsumers {
  /** `occurredAt` of the latest MessageAccepted processed (ms), 0 before the first. */
  lastAcceptedAt(): number;
  stop(): Promise<void>;
}

export interface SettlementOptions {
  nats: Nats;
  subjects: Subjects;
  db: Kysely<PricingDatabase>;
  outbox: OutboxPublisher;
  log: Logger;
}

export const FAILED_DURABLE = "pricing-failed";
export const ACCEPTED_DURABLE = "pricing-acceptance-log";
/**
 * The durable of the version before, which deleted a pending row per acceptance: nobody
 * reads it now, and left on the accepted subject it would count as a stalled stage for
 * admission control's backlog probe. Deleted at start.
 */
const RETIRED_ACCEPTED_DURABLE = "pricing-accepted";

export async function startSettlementConsumers(
  options: SettlementOptions,
): Promise<SettlementConsumers> {
  const { nats, subjects, db, outbox, log } = options;
  let lastAccepted = 0;
  const consumers: RunningConsumer[] = [];
  try {
    consumers.push(
      await startConsumer(nats, {
        stream: subjects.stream,
        durable: FAILED_DURABLE,
        filterSubject: subjects.event("MessageFailed"),
        schema: MessageEvent,
        log,
        async handle(batch) {
          const result = await refundBatch(
            db,
            batch.map(({ value }) => ({
              messageId: value.messageId,
              reason: "failed" as const,
              trace: value.trace,
            })),
          );
          outbox.publishCommitted(result.events);
          if (result.refunds.length > 0) {
            log.info({ refunds: result.refunds.length }, "failed messages refunded");
          }
          return batch.map(() => ACK);
        },
      }),
    );
    await nats.jsm.consumers.delete(subjects.stream, RETIRED_ACCEPTED_DURABLE).catch(() => false);
    consumers.push(
      await startConsumer(nats, {
        stream: subjects.stream,
        durable: ACCEPTED_DURABLE,
        // Created once, where the log must start (migration 0007), not at the stream's
        // first message: days of acceptances nobody needs.
        startAt: await acceptanceLogStart(db),
        filterSubject: subjects.event("MessageAccepted"),
        schema: singleOrBatch(MessageAccepted),
        log,
        maxBatch: 512,
        async handle(batch) {
          const { events: read, invalid } = unbatch(batch, MessageAccepted);
          if (invalid > 0)
            log.error({ invalid }, "accepted events in an envelope dropped: invalid");
          // A copy stored after its publishBy is void (ADR 0022): not an acceptance, so the
          // sweep refunds the charge, and routing never sends it.
          const events = read.filter(
            ({ value, delivery }) =>
              !acceptanceVoid(value.data, batch[delivery]?.storedAtMs ?? Number.NaN),
          );
          if (events.length < read.length) {
            log.warn(
              { void: read.length - events.length },
              "accepted events stored too late: void",
            );
          }
          await recordAcceptances(
            db,
            events.map(({ value }) => value.messageId),
          );
          for (const { value } of events) {
            const at = Date.parse(value.occurredAt);
            if (at > lastAccepted) lastAccepted = at;
          }
          return batch.map(() => ACK);
        },
      }),
    );
  } catch (error) {
    await Promise.allSettled(consumers.map((c) => c.stop()));
    throw error;
  }
  return {
    lastAcceptedAt: () => lastAccepted,
    async stop() {
      await Promise.allSettled(consumers.map((c) => c.stop()));
    },
  };
}
