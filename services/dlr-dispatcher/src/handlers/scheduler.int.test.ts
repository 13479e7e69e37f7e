import type { EventPublisher } from "@smsgw/service-kit";
import { type Database, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDlrDispatcherConfig } from "../config.ts";
import { createJobStore, type Job, type JobStore } from "../db/jobs.ts";
import { migrations } from "../db/migrations.ts";
import type { ReportedChange } from "../domain/report.ts";
import { silentLog, statusChange } from "../test-stack.ts";
import type { Delivered } from "./deliver.ts";
import { type SchedulerOptions, startScheduler } from "./scheduler.ts";

const HEALTHY = "http://healthy.example";
const slowOrigins = [
  "http://slow1.example",
  "http://slow2.example",
  "http://slow3.example",
  "http://slow4.example",
];
/** Each slow origin answers after this long (its budget is 200 ms). */
const SLOW_ANSWER_MS = 1_000;

function job(origin: string): Omit<Job, "attempts"> {
  const change = statusChange("acc_1", `${origin}/hook`) as ReportedChange;
  return {
    messageId: change.messageId,
    sequence: change.sequence,
    accountId: "acc_1",
    origin,
    change,
  };
}

/** A scheduler of 32 slots over the store, publishing nowhere; the rest as a test sets it. */
function schedulerOver(
  store: JobStore,
  options: Pick<SchedulerOptions, "perOrigin" | "perOriginMax" | "slowMs" | "deliver">,
) {
  return startScheduler({
    store,
    publisher: { publishBatch: async () => undefined } as unknown as EventPublisher,
    log: silentLog,
    concurrency: 32,
    originCapMs: 60_000,
    leaseMs: 60_000,
    idleMs: 50,
    ...options,
  });
}

describe("the scheduler with slow origins, on real Postgres", () => {
  let infra: TestInfra;
  let database: Database<unknown>;
  let store: JobStore;

  beforeAll(async () => {
    infra = await createTestInfra();
    database = await openServiceDatabase(
      loadDlrDispatcherConfig(infra.env),
      "dispatcher",
      migrations,
    );
    store = createJobStore(database);
  });
  afterAll(async () => {
    await database?.close();
    await infra?.cleanup();
  });

  it("when slow origins with a backlog hold every slot, a healthy origin's report is still attempted before their backlog drains, and the fast path finds a slot", async () => {
    // 4 slow origins × 100 due reports: at their full share (8 each) they take all 32 slots
    // and, with what they prefetch, all the room the claim had.
    const backlog = slowOrigins.flatMap((origin) => Array.from({ length: 100 }, () => job(origin)));
    await store.insert(backlog, new Date(Date.now() - 60_000));
    const attempted: string[] = [];
    const attemptedAt: number[] = [];
    const scheduler = schedulerOver(store, {
      perOrigin: 8,
      slowMs: 200,
      async deliver(claimed: Job): Promise<Delivered> {
        attempted.push(claimed.origin);
        attemptedAt.push(Date.now());
        if (claimed.origin !== HEALTHY) {
          await new Promise((resolve) => setTimeout(resolve, SLOW_ANSWER_MS));
        }
        return { settlement: { kind: "done", job: claimed }, originFailed: false };
      },
    });
    try {
      await waitFor(() => attempted.length >= 32, { what: "the slow origins' first attempts" });
      // A healthy origin's report falls due while they are busy.
      await store.insert([job(HEALTHY)], new Date());
      scheduler.poke();
      await waitFor(() => attempted.includes(HEALTHY), {
        timeoutMs: 8_000,
        what: "the healthy origin's report attempted",
      });
      const slowBefore = attempted.indexOf(HEALTHY);
      // Before it: the first wave (their full share, before anyone knew they were slow) and
      // at most a few more per slow answer's time that passed meanwhile (a busy machine may
      // let a second or two pass); far from the 400 of their backlog.
      const waves = Math.floor(
        ((attemptedAt[slowBefore] ?? 0) - (attemptedAt[0] ?? 0)) / SLOW_ANSWER_MS,
      );
      expect(slowBefore).toBeLessThanOrEqual(32 + slowOrigins.length * 2 * Math.max(1, waves));
      // The slow origins now hold a few slots each: a fresh report of another origin starts at once.
      const fresh = scheduler.tryAttempt({ ...job("http://fresh.example"), attempts: 0 });
      expect(fresh).not.toBeNull();
      await fresh;
    } finally {
      await scheduler.stop();
    }
  });

  it("when an origin keeps its slots busy and answers fast, it gets more of them, up to its most; a fixed share never grows", async () => {
    const busy = "http://busy.example";
    const run = async (perOriginMax: number) => {
      let inFlight = 0;
      let most = 0;
      let done = 0;
      const scheduler = schedulerOver(store, {
        perOrigin: 2,
        perOriginMax,
        slowMs: 1_000,
        async deliver(claimed: Job): Promise<Delivered> {
          // Another test's backlog may still be due: settled at once, not counted.
          if (claimed.origin !== busy)
            return { settlement: { kind: "done", job: claimed }, originFailed: false };
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 20));
          inFlight--;
          done++;
          return { settlement: { kind: "done", job: claimed }, originFailed: false };
        },
      });
      try {
        await store.insert(
          Array.from({ length: 120 }, () => job(busy)),
          new Date(Date.now() - 1_000),
        );
        scheduler.poke();
        await waitFor(() => done >= 120, { timeoutMs: 15_000, what: "the busy origin's reports" });
      } finally {
        await scheduler.stop();
      }
      return most;
    };
    expect(await run(2)).toBe(2);
    const grown = await run(8);
    expect(grown).toBeGreaterThan(2);
    expect(grown).toBeLessThanOrEqual(8);
  });
});
