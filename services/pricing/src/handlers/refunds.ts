import { MessageEvent, type Subjects } from "@smsgw/contracts";
import {
  ACK,
  type Logger,
  type Nats,
  type RunningConsumer,
  startConsumer,
} from "@smsgw/service-kit";
import type { Kysely } from "kysely";
import { refundBatch } from "../db/refunds.ts";
import type { PricingDatabase } from "../db/schema.ts";
import type { OutboxPublisher } from "./outbox-publisher.ts";

/**
 * The consumer that settles charges as messages fail: `pricing-failed`, a message that ended
 * `failed` (no carrier took it) is refunded, once, however often MessageFailed is delivered.
 * It works a whole delivered batch in one transaction; a database error throws, and the batch
 * is redelivered later (nothing is acked unprocessed). Charges never accepted are the sweep's
 * (ADR 0024): pricing reads no MessageAccepted.
 */
export interface SettlementConsumers {
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
/**
 * Pricing's durables on the accepted subject in versions before: `pricing-accepted` deleted a
 * pending row per acceptance, `pricing-acceptance-log` logged the acceptances a batch to a
 * row (ADR 0009, amended; replaced by ADR 0024). Deleted at start.
 */
export const RETIRED_ACCEPTED_DURABLES = ["pricing-accepted", "pricing-acceptance-log"] as const;

/**
 * Deletes the durables of versions before (at start, and at every sweep: a replica of the
 * version before, still running in a roll-out, may create its own again). Left on the
 * accepted subject they would count as stalled stages for admission control's backlog probe
 * and hold back the stream eraser.
 */
export async function deleteRetiredDurables(nats: Nats, stream: string): Promise<void> {
  for (const retired of RETIRED_ACCEPTED_DURABLES) {
    await nats.jsm.consumers.delete(stream, retired).catch(() => false);
  }
}

export async function startSettlementConsumers(
  options: SettlementOptions,
): Promise<SettlementConsumers> {
  const { nats, subjects, db, outbox, log } = options;
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
    await deleteRetiredDurables(nats, subjects.stream);
  } catch (error) {
    await Promise.allSettled(consumers.map((c) => c.stop()));
    throw error;
  }
  return {
    async stop() {
      await Promise.allSettled(consumers.map((c) => c.stop()));
    },
  };
}
