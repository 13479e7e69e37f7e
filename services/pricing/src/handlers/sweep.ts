import { errorMessage, type Logger, withDeadline } from "@smsgw/service-kit";
import type { Kysely } from "kysely";
import { refundBatch } from "../db/refunds.ts";
import type { PricingDatabase } from "../db/schema.ts";
import { advanceMark, dueCharges } from "../db/settlement.ts";
import { refundAgeMs } from "../domain/sweep.ts";
import type { OutboxPublisher } from "./outbox-publisher.ts";

/**
 * The periodic sweep: refunds charges never accepted (a door died between charging and
 * publishing MessageAccepted, or its copy was stored after `publishBy`), decided by the event
 * store's record once it is complete past their `publishBy` (ADR 0024), relays outbox events whose first publish did not happen,
 * and runs the service's other housekeeping (expired webhook secrets, price reload).
 * Runs never overlap; every replica may run it (refunds are unique per message).
 */
export interface SweepOptions {
  db: Kysely<PricingDatabase>;
  outbox: OutboxPublisher;
  log: Logger;
  intervalMs: number;
  graceMs: number;
  relayAfterMs: number;
  /** ms: every event stored before this the event store has read; null = unknown. */
  eventStoreCaughtUpTo(): Promise<number | null>;
  /** Of these messages, those the event store's record holds as accepted. */
  acceptedAmong(messageIds: readonly string[]): Promise<Set<string>>;
  housekeeping: ReadonlyArray<{ name: string; run(): Promise<unknown> }>;
}

export interface SweepReport {
  refunded: number;
  relayed: number;
}

export interface Sweep {
  runOnce(): Promise<SweepReport>;
  stop(): Promise<void>;
}

/** Charges looked at per slice: one ledger read, one lookup in the event store's record. */
const BATCH = 20_000;
/** Refunds per transaction. */
const REFUND_BATCH = 500;
const STEP_DEADLINE_MS = 30_000;

export function startSweep(options: SweepOptions): Sweep {
  const { db, outbox, log } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SweepReport> | undefined;
  let stopped = false;

  async function refundOverdue(): Promise<number> {
    const age = refundAgeMs({
      now: Date.now(),
      graceMs: options.graceMs,
      caughtUpTo: await options.eventStoreCaughtUpTo(),
    });
    if (age === null) {
      // Charges wait (never refunded wrongly) until the record's progress can be read again.
      log.warn("refunds held: how far the event store's record is complete is unknown");
      return 0;
    }
    let total = 0;
    // The ledger past the mark, a slice at a time: each slice's unaccepted charges are
    // refunded, then the mark moves past it (a failure leaves it for the next run). No
    // acceptance can appear for them later: a copy stored after publishBy is void.
    for (;;) {
      const { lastId, messageIds } = await dueCharges(db, age, BATCH);
      if (lastId === null) break;
      const accepted = await options.acceptedAmong(messageIds);
      const unaccepted = messageIds.filter((messageId) => !accepted.has(messageId));
      for (let at = 0; at < unaccepted.length; at += REFUND_BATCH) {
        const result = await refundBatch(
          db,
          unaccepted
            .slice(at, at + REFUND_BATCH)
            .map((messageId) => ({ messageId, reason: "not_accepted" as const })),
        );
        outbox.publishCommitted(result.events);
        total += result.refunds.length;
      }
      await advanceMark(db, lastId);
    }
    if (total > 0) log.warn({ refunds: total }, "charges never accepted were refunded");
    return total;
  }

  async function sweepOnce(): Promise<SweepReport> {
    const report: SweepReport = { refunded: 0, relayed: 0 };
    const steps: Array<{ name: string; run(): Promise<unknown> }> = [
      {
        name: "refund unaccepted charges",
        run: async () => (report.refunded = await refundOverdue()),
      },
      {
        name: "relay the outbox",
        run: async () => (report.relayed = await outbox.relayStale(options.relayAfterMs)),
      },
      ...options.housekeeping,
    ];
    for (const step of steps) {
      try {
        // A query hung on a connection that died under it must not stop every later sweep.
        await withDeadline(step.run(), STEP_DEADLINE_MS, step.name);
      } catch (error) {
        log.warn(
          { err: errorMessage(error), step: step.name },
          "sweep step failed; retried next run",
        );
      }
    }
    return report;
  }

  function runOnce(): Promise<SweepReport> {
    running ??= sweepOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce().finally(schedule);
    }, options.intervalMs);
    timer.unref();
  }
  schedule();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
