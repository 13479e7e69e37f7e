import { type Database, openDatabase } from "@smsgw/service-kit";
import { waitFor } from "@smsgw/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDlrDispatcher } from "./service.ts";
import {
  type Answer,
  account,
  newSecret,
  type Receiver,
  type Stack,
  silentLog,
  startReceiver,
  startStack,
  statusChange,
} from "./test-stack.ts";

// The fast path (WEBHOOK_FAST_PATH_MS, WEBHOOK_HOLD_MS): reports answered in time never become
// rows of the durable queue, even when they waited for their origin's slots; the others do,
// with their attempt counted, and are finished from there.
describe("dlr-dispatcher fast path", () => {
  let stack: Stack;
  let database: Database<unknown>;
  const receivers: Receiver[] = [];
  const receiver = async (answer?: (n: number) => Answer) => {
    const started = await startReceiver(answer);
    receivers.push(started);
    return started;
  };
  /** Rows ever inserted into the jobs table (Postgres statistics, flushed within ~1 s). */
  const jobsInserted = async () => {
    const [row] = await database.sql<Array<{ n: string }>>`
      select n_tup_ins::text as n from pg_stat_user_tables
      where schemaname = 'dispatcher' and relname = 'jobs'`;
    return Number(row?.n ?? 0);
  };
  /**
   * pg_stat_* is flushed by each backend at most once a second, when idle, and later on a busy
   * machine: the count is read until it held still for two reads 1.2 s apart.
   */
  const statsSettled = async () => {
    let last = Number.NaN;
    for (let read = 0; read < 10; read++) {
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await database.sql`select pg_stat_clear_snapshot()`;
      const now = await jobsInserted();
      if (now === last) return;
      last = now;
    }
  };

  /** `n` fresh status changes whose reports go to the receiver. */
  const reportsTo = (hook: Receiver, n: number) =>
    Array.from({ length: n }, () => statusChange("acc_1", `${hook.url}/dlr`));
  const attemptedOnceEach = (changes: ReturnType<typeof statusChange>[], timeoutMs?: number) =>
    waitFor(() => changes.every((c) => stack.attemptsOf(c.messageId).length === 1), {
      what: "one attempt per report",
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });

  beforeAll(async () => {
    stack = await startStack({
      WEBHOOK_ALLOW_PRIVATE: "true",
      // Long enough that an answer held back by a test is never cut by the timeout.
      WEBHOOK_TIMEOUT_MS: "10000",
      // A second: a busy machine's in-time answers stay in time (the slow ones below take more).
      WEBHOOK_FAST_PATH_MS: "1000",
      // Longer than any waitFor below: a batch held for it would fail the test.
      WEBHOOK_HOLD_MS: "20000",
    });
    database = openDatabase(stack.infra.env.DATABASE_URL ?? "", "dispatcher", { max: 1 });
    await stack.putAccount(account("acc_1", [newSecret()]));
    stack.dispatcher = await startDlrDispatcher(stack.config, silentLog);
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await database?.close();
    await stack?.close();
  });

  it("when every report is answered 2xx in time, all arrive once and the queue table is never written", async () => {
    const hook = await receiver();
    const changes = reportsTo(hook, 60);
    const before = await jobsInserted();
    await stack.publish(...changes);
    await attemptedOnceEach(changes);
    await stack.settled();
    expect(hook.requests).toHaveLength(60);
    expect(new Set(hook.requests.map((r) => r.headers["webhook-id"])).size).toBe(60);
    await statsSettled();
    expect(await jobsInserted()).toBe(before);
  });

  it("when there are more reports than the origin's slots, the rest wait in memory for a slot and the queue table is never written", async () => {
    // 32 slots per origin, 400 ms per answer: three rounds, longer than the 1 s budget.
    const hook = await receiver(() => ({ status: 200, afterMs: 400 }));
    const changes = reportsTo(hook, 96);
    const before = await jobsInserted();
    await stack.publish(...changes);
    await attemptedOnceEach(changes);
    await stack.settled();
    expect(hook.requests).toHaveLength(96);
    await statsSettled();
    expect(await jobsInserted()).toBe(before);
  });

  it("when an origin keeps its 32 slots busy and answers fast, its waiting reports get more slots than that", async () => {
    let inFlight = 0;
    let most = 0;
    const hook = await receiver(() => {
      inFlight++;
      most = Math.max(most, inFlight);
      const answered = new Promise<void>((resolve) => setTimeout(resolve, 40)).then(() => {
        inFlight--;
      });
      return { status: 200, after: answered };
    });
    const changes = reportsTo(hook, 400);
    await stack.publish(...changes);
    await attemptedOnceEach(changes, 20_000);
    await stack.settled();
    expect(hook.requests).toHaveLength(400);
    expect(most).toBeGreaterThan(32);
  });

  it("when an origin answers after the budget, its reports waiting for a slot are recorded at once, not held", async () => {
    // The origin answers only when the test lets it, so that no attempt settles (and no row
    // goes) before all 40 are seen recorded, however slow this machine is.
    let answer = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const hook = await receiver(() => ({ status: 200, after: answered }));
    const changes = reportsTo(hook, 40);
    await stack.publish(...changes);
    // 32 rows leased to their running attempts and 8 waiting; held for the hold, they would not.
    await waitFor(async () => ((await stack.dispatcher?.jobs.pending()) ?? 0) === 40, {
      what: "every report of the slow origin recorded",
      timeoutMs: 10_000,
    });
    answer();
    await attemptedOnceEach(changes, 15_000);
    await stack.settled();
    // Its 40 inserts reach the statistics before the next test counts from them.
    await statsSettled();
  });

  it("when the first attempt fails, the report is recorded with that attempt and the retry delivers it", async () => {
    const hook = await receiver((n) => (n === 0 ? 503 : 200));
    const change = statusChange("acc_1", `${hook.url}/dlr`);
    const before = await jobsInserted();
    await stack.publish(change);
    await waitFor(() => stack.attemptsOf(change.messageId).length === 2, {
      what: "the failed attempt and the retry",
      timeoutMs: 10_000,
    });
    const attempts = stack.attemptsOf(change.messageId);
    expect(attempts.map((a) => [a.data.attempt, a.data.outcome])).toEqual([
      [1, "retrying"],
      [2, "delivered"],
    ]);
    await stack.settled();
    await statsSettled();
    expect(await jobsInserted()).toBe(before + 1);
  });

  it("when an answer comes after the budget, the report is leased to its running attempt and settled by it, attempted once", async () => {
    const hook = await receiver(() => ({ status: 200, afterMs: 2_500 }));
    const change = statusChange("acc_1", `${hook.url}/dlr`);
    await stack.publish(change);
    await waitFor(async () => ((await stack.dispatcher?.jobs.pending()) ?? 0) === 1, {
      what: "the leased row",
    });
    await waitFor(() => stack.attemptsOf(change.messageId).length === 1, { what: "the attempt" });
    await stack.settled();
    expect(stack.attemptsOf(change.messageId)[0]?.data.outcome).toBe("delivered");
    expect(hook.requests).toHaveLength(1);
  });
});
