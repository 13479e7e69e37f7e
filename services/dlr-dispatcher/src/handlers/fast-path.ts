import type { EventOf } from "@smsgw/contracts";
import type { EventPublisher } from "@smsgw/service-kit";
import type { Job, JobStore } from "../db/jobs.ts";
import type { Delivered } from "./deliver.ts";

type FreshJob = Omit<Job, "attempts">;
type Recorded = FreshJob & { attempts?: number; dueAt?: Date };

export interface FastPathDeps {
  store: JobStore;
  publisher: EventPublisher;
  scheduler: {
    tryAttempt(job: Job): Promise<Delivered> | null;
    waitForSlot(origin: string, giveUp: Promise<unknown>): Promise<boolean>;
    /** Whether a report of the origin may wait in memory for a slot (healthy, in time, host too). */
    mayHold(origin: string): boolean;
    /** An attempt of the origin outlasted the budget (true), or one ended within it (false). */
    noteLate(origin: string, late: boolean): void;
    settleLater(delivered: Delivered): void;
    poke(): void;
  };
  /** How long an attempt is waited for before its report is leased to a row (a slow origin). */
  budgetMs: number;
  /**
   * How long a report may wait in memory for a free slot of its origin while the origin
   * answers in time: a busy but healthy origin's reports stay unacked in JetStream rather than
   * each becoming a row (insert, claim, delete). At most `budgetMs` when unset.
   */
  holdMs?: number;
  /** How long a row recorded for an attempt still running stays reserved for it. */
  leaseMs: number;
  now(): Date;
}

/**
 * The webhook fast path: a fresh report is attempted at once from memory, and becomes a
 * row of the durable queue only when it cannot be done from here — the attempt failed (the
 * row carries the attempt and when to retry), it is still running after the budget (the
 * origin is slow: the row is leased to the attempt and settled when it ends, and the
 * origin's other reports of the batch are recorded), its origin is backing off, or no slot
 * of its origin freed within the hold. A report that is answered 2xx in time never touches
 * Postgres, even when it waited for its origin: under load the unacked status changes in
 * JetStream are the queue (ADR 0009), not three row writes per report. The batch's WebhookAttempted events go out
 * in EventBatch envelopes (`<p>.evt.batch`, ADR 0009: only the event store reads them) before
 * the status changes are acked, so a crash repeats the attempt (same webhook-id, same event
 * id, logged once by the event store) rather than losing it.
 */
export function createFastPath(deps: FastPathDeps) {
  const holdMs = Math.max(deps.budgetMs, deps.holdMs ?? 0);
  // Origins with an attempt that outlasted the budget, until one of theirs ends in time, are
  // late in the scheduler's origin book (forgotten with the rest of their state): their
  // reports never wait for a slot (another batch's waiting would hold that batch too), nor
  // those of their host while it is at its bound.

  /** The attempt's end, or "late" once it has run the budget. */
  const withinBudget = (attempt: Promise<Delivered>) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), deps.budgetMs);
    });
    return Promise.race([attempt, late]).finally(() => clearTimeout(timer));
  };

  return async function run(jobs: readonly FreshJob[]): Promise<void> {
    const byOrigin = new Map<string, FreshJob[]>();
    for (const job of jobs) {
      const list = byOrigin.get(job.origin);
      if (list) list.push(job);
      else byOrigin.set(job.origin, [job]);
    }
    const holdEnds = Date.now() + holdMs;
    // Settled when the hold ends, or when the batch is done before (so that no slot waiter
    // of this batch stays attached to it).
    const hold = Promise.withResolvers<void>();
    const holdOver = hold.promise;
    const holdTimer = setTimeout(hold.resolve, holdMs);
    const toRecord: Recorded[] = [];
    const events: EventOf<"WebhookAttempted">[] = [];
    const stillRunning: Array<{ job: FreshJob; attempt: Promise<Delivered> }> = [];

    const take = (job: FreshJob, delivered: Delivered) => {
      if (delivered.event) events.push(delivered.event);
      const { settlement } = delivered;
      if (settlement.kind === "retry") {
        toRecord.push({ ...job, attempts: settlement.attempts, dueAt: settlement.dueAt });
      }
    };

    // Per origin, one lane per report, each taking the origin's next report when a slot is
    // free (waiting for one, while the origin is healthy, until the hold ends): a slow or
    // failing origin delays only its own reports and never holds a batch, and a batch never
    // waits more than the hold plus one budget. Lanes beyond the origin's slots simply find
    // the queue empty.
    const lane = async (
      queue: FreshJob[],
      origin: string,
      stopWaiting: () => void,
      waitingStopped: Promise<void>,
    ) => {
      const giveUp = Promise.race([holdOver, waitingStopped]);
      while (queue.length > 0 && Date.now() < holdEnds) {
        const job = queue[0] as FreshJob;
        const attempt = deps.scheduler.tryAttempt({ ...job, attempts: 0 });
        if (!attempt) {
          // A healthy origin's report may wait for a slot; a slow or failing one's is recorded.
          if (!deps.scheduler.mayHold(origin)) return;
          if (!(await deps.scheduler.waitForSlot(origin, giveUp))) return;
          continue;
        }
        queue.shift();
        // The origin's last report is taken: its lanes still waiting for a slot stop.
        if (queue.length === 0) stopWaiting();
        const ended = await withinBudget(attempt);
        if (ended === "late") {
          // The origin is slow: its reports still waiting are recorded now, not held.
          deps.scheduler.noteLate(origin, true);
          stopWaiting();
          stillRunning.push({ job, attempt });
          return;
        }
        deps.scheduler.noteLate(origin, false);
        take(job, ended);
      }
    };
    await Promise.all(
      [...byOrigin].flatMap(([origin, queue]) => {
        const waits = Promise.withResolvers<void>();
        return Array.from({ length: queue.length }, () =>
          lane(queue, origin, waits.resolve, waits.promise),
        );
      }),
    );
    clearTimeout(holdTimer);
    hold.resolve();

    const waiting = [...byOrigin.values()].flat();
    const leasedUntil = new Date(deps.now().getTime() + deps.leaseMs);
    const rows: Recorded[] = [
      ...toRecord,
      ...waiting,
      ...stillRunning.map(({ job }) => ({ ...job, dueAt: leasedUntil })),
    ];
    if (events.length > 0) await deps.publisher.publishBatch(events);
    if (rows.length > 0) await deps.store.insert(rows, deps.now());
    // Only now that their rows exist may the late attempts settle them.
    for (const { attempt } of stillRunning) void attempt.then(deps.scheduler.settleLater);
    if (waiting.length > 0) deps.scheduler.poke();
  };
}
