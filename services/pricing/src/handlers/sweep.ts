import { errorMessage, type Logger, withDeadline } from "@smsgw/service-kit";
import type { Kysely } from "kysely";
import { refundBatch } from "../db/refunds.ts";
import type { PricingDatabase } from "../db/schema.ts";
import { advanceMark, forgetAcceptances, unacceptedCharges } from "../db/settlement.ts";
import { refundAgeMs } from "../domain/sweep.ts";
import type { OutboxPublisher } from "./outbox-publisher.ts";

/**
 * The periodic sweep: refunds charges never accepted (ingress died between charging and
 * publishing MessageAccepted), relays outbox events whose first publish did not happen,
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
  /** Messages not yet delivered to the acceptance log's consumer. */
  acceptedBacklog(): Promise<number>;
  lastAcceptedAt(): number;
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

/** Charges looked at per statement: one hash join of them against the acceptance log. */
const BATCH = 50_000;
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
      backlog: await options.acceptedBacklog(),
      lastAcceptedAt: options.lastAcceptedAt(),
    });
    if (age === null) return 0;
    let total = 0;
    // The ledger past the mark, a slice at a time: each slice's unaccepted charges are
    // refunded, then the mark moves past it (a failure leaves it for the next run).
    for (;;) {
      const { lastId, messageIds } = await unacceptedCharges(db, age, BATCH);
      if (lastId === null) break;
      for (let at = 0; at < messageIds.length; at += REFUND_BATCH) {
        const result = await refundBatch(
          db,
          messageIds
            .slice(at, at + REFUND_BATCH)
            .map((messageId) => ({ messageId, reason: "not_accepted" as const })),
        );
        outbox.publishCommitted(result.events);
        total += result.refunds.length;
      }
      await advanceMark(db, lastId);
    }
    await forgetAcceptances(db);
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
