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
    settleLater(delivered: Delivered): void;
    poke(): void;
  };
  /** How long the intake batch waits for its first attempts before recording the rest. */
  budgetMs: number;
  /** How long a row recorded for an attempt still running stays reserved for it. */
  leaseMs: number;
  now(): Date;
}

/**
 * The webhook fast path: a fresh report is attempted at once from memory, and becomes a
 * row of the durable queue only when it has to wait — its origin has no free slot, the
 * attempt failed (the row carries the attempt and when to retry), or it is still running
 * when the budget ends (the row is leased to it and settled when it ends). A report that
 * is answered 2xx in time never touches Postgres. The batch's WebhookAttempted events go out
 * in EventBatch envelopes (`<p>.evt.batch`, ADR 0009: only the event store reads them) before
 * the status changes are acked, so a crash repeats the attempt (same webhook-id, same event
 * id, logged once by the event store) rather than losing it.
 */
export function createFastPath(deps: FastPathDeps) {
  return async function run(jobs: readonly FreshJob[]): Promise<void> {
    const byOrigin = new Map<string, FreshJob[]>();
    for (const job of jobs) {
      const list = byOrigin.get(job.origin);
      if (list) list.push(job);
      else byOrigin.set(job.origin, [job]);
    }
    const deadline = Date.now() + deps.budgetMs;
    const expired = new Promise<"expired">((resolve) => {
      setTimeout(() => resolve("expired"), deps.budgetMs).unref();
    });
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
    // free (waiting for one while the origin's slots are busy with other batches or the
    // queue) until the budget ends: a slow origin delays only its own reports, and never
    // past the budget. Lanes beyond the origin's slots simply find the queue empty.
    const lane = async (queue: FreshJob[]) => {
      while (queue.length > 0 && Date.now() < deadline) {
        const job = queue[0] as FreshJob;
        const attempt = deps.scheduler.tryAttempt({ ...job, attempts: 0 });
        if (!attempt) {
          if (!(await deps.scheduler.waitForSlot(job.origin, expired))) return;
          continue;
        }
        queue.shift();
        const ended = await Promise.race([attempt, expired]);
        if (ended === "expired") {
          stillRunning.push({ job, attempt });
          return;
        }
        take(job, ended);
      }
    };
    await Promise.all(
      [...byOrigin.values()].flatMap((queue) =>
        Array.from({ length: queue.length }, () => lane(queue)),
      ),
    );

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
