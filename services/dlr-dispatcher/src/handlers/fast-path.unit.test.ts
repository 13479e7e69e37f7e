import { afterEach, describe, expect, it } from "vitest";
import type { JobStore } from "../db/jobs.ts";
import { DEAD, jobTo, schedulerBesideDeadHost } from "./dead-host.testing.ts";
import { createFastPath } from "./fast-path.ts";
import type { Scheduler } from "./scheduler.ts";

// The fast path over the real scheduler and a queue in memory: reports naming the message in
// the callback path, to a host that never answers, beside one report to a healthy host.

const HEALTHY = "https://healthy.example/dlr";
const HOLD_MS = 10_000;

const fresh = jobTo;

function harness() {
  const inserted: Array<{ origin: string; dueAt?: Date }> = [];
  const store = {
    claim: async () => [],
    settle: async () => undefined,
    postponeOrigin: async () => undefined,
    insert: async (rows: Array<{ origin: string; dueAt?: Date }>) => {
      inserted.push(...rows);
    },
  } as unknown as JobStore;
  const { scheduler, publisher, attempted, release } = schedulerBesideDeadHost(store);
  const run = createFastPath({
    store,
    publisher,
    scheduler,
    budgetMs: 30,
    holdMs: HOLD_MS,
    leaseMs: 60_000,
    now: () => new Date(),
  });
  return { scheduler, run, attempted, inserted, release };
}

describe("the fast path with many paths on one dead host", () => {
  let running: { scheduler: Scheduler; release(): void } | undefined;
  afterEach(async () => {
    running?.release();
    await running?.scheduler.stop();
    running = undefined;
  });

  it("when a batch names 40 paths of a host that never answers, at most the host's bound are attempted, the rest are queued once its attempts outlast the budget (not held for the hold), and another host's report is delivered from memory", async () => {
    const { scheduler, run, attempted, inserted, release } = harness();
    running = { scheduler, release };
    const batch = [
      ...Array.from({ length: 40 }, (_, i) => fresh(`${DEAD}/dlr/msg_${i}`)),
      fresh(HEALTHY),
    ];
    const startedAt = Date.now();
    await run(batch);
    expect(Date.now() - startedAt).toBeLessThan(HOLD_MS / 2);
    expect(attempted.filter((origin) => origin.startsWith(DEAD))).toHaveLength(8);
    expect(attempted).toContain(HEALTHY);
    // Every report of the dead host is a row: 8 leased to their running attempts, 32 waiting.
    expect(inserted.map((row) => row.origin).sort()).toEqual(
      batch
        .filter((job) => job.origin.startsWith(DEAD))
        .map((job) => job.origin)
        .sort(),
    );
    expect(inserted.filter((row) => row.dueAt !== undefined)).toHaveLength(8);
    // The next batch's reports of that host are queued at once: it is at its bound and late.
    const next = Date.now();
    await run([fresh(`${DEAD}/dlr/later`), fresh(HEALTHY)]);
    expect(Date.now() - next).toBeLessThan(HOLD_MS / 2);
    expect(inserted.map((row) => row.origin)).toContain(`${DEAD}/dlr/later`);
    expect(attempted.filter((origin) => origin === HEALTHY)).toHaveLength(2);
  });
});
