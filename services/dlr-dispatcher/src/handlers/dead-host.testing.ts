import type { EventPublisher, Logger } from "@smsgw/service-kit";
import type { Job, JobStore } from "../db/jobs.ts";
import type { Delivered } from "./deliver.ts";
import { startScheduler } from "./scheduler.ts";

/** A host that never answers: its attempts hang until `release`. */
export const DEAD = "https://dead.example";

let seq = 0;
/** A report to `origin` never attempted, of a message of its own. */
export function jobTo(origin: string): Job {
  seq++;
  return {
    messageId: `msg_${seq}`,
    sequence: 1,
    accountId: "acc_1",
    origin,
    change: {} as Job["change"],
    attempts: 0,
  };
}

/**
 * The real scheduler over a store in memory (16 slots, 4 per origin, so a host's bound is 8),
 * delivering at once to any host but `DEAD`, whose attempts hang until released.
 */
export function schedulerBesideDeadHost(store: JobStore) {
  const hanging: Array<() => void> = [];
  const attempted: string[] = [];
  const publisher = { publishBatch: async () => undefined } as unknown as EventPublisher;
  const scheduler = startScheduler({
    store,
    publisher,
    log: { error() {}, warn() {} } as unknown as Logger,
    concurrency: 16,
    perOrigin: 4,
    originCapMs: 60_000,
    slowMs: 1_000,
    leaseMs: 60_000,
    idleMs: 20,
    deliver(job: Job): Promise<Delivered> {
      attempted.push(job.origin);
      const done: Delivered = { settlement: { kind: "done", job }, originFailed: false };
      if (!job.origin.startsWith(DEAD)) return Promise.resolve(done);
      return new Promise((resolve) => hanging.push(() => resolve(done)));
    },
  });
  const release = () => {
    for (const answer of hanging.splice(0)) answer();
  };
  return { scheduler, publisher, attempted, release };
}
