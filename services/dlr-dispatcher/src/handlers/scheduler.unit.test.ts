import { afterEach, describe, expect, it, vi } from "vitest";
import type { Job, JobStore } from "../db/jobs.ts";
import { DEAD, jobTo, schedulerBesideDeadHost } from "./dead-host.testing.ts";
import type { Scheduler } from "./scheduler.ts";

// The scheduler over a queue in memory: what the origin book's per-host bound means for the
// slots themselves, on both ways in (the fast path's tryAttempt and the claimed jobs).

const OTHER = "https://other.example/dlr";

const job = jobTo;

/** A dead host's attempts hang until released; any other answers at once. */
function harness(claimable: Job[] = []) {
  const store = {
    claim: async ({ limit }: { limit: number }) => claimable.splice(0, limit),
    settle: async () => undefined,
    postponeOrigin: async () => undefined,
  } as unknown as JobStore;
  return schedulerBesideDeadHost(store);
}

describe("the scheduler with many paths on one dead host", () => {
  let running: { scheduler: Scheduler; release(): void } | undefined;
  afterEach(async () => {
    running?.release();
    await running?.scheduler.stop();
    running = undefined;
  });

  it("when fresh reports name 100 paths of a host that never answers, they take at most the host's bound (half of all slots), and another host's report still starts at once", () => {
    const { scheduler, attempted, release } = harness();
    running = { scheduler, release };
    const started = Array.from({ length: 100 }, (_, i) =>
      scheduler.tryAttempt(job(`${DEAD}/dlr/msg_${i}`)),
    ).filter((attempt) => attempt !== null);
    expect(started).toHaveLength(8);
    expect(scheduler.inFlight).toBe(8);
    expect(scheduler.tryAttempt(job(OTHER))).not.toBeNull();
    expect(attempted.filter((origin) => origin.startsWith(DEAD))).toHaveLength(8);
  });

  it("when a claim brings 30 paths of that host and another host's job after them, at most the host's bound of them run and the other job runs at once", async () => {
    // (The claim's ordering and room are the queue's: here all come in one claim.)
    const claimable = [
      ...Array.from({ length: 30 }, (_, i) => job(`${DEAD}/dlr/msg_${i}`)),
      job(OTHER),
    ];
    const { scheduler, attempted, release } = harness(claimable);
    running = { scheduler, release };
    scheduler.poke();
    await vi.waitFor(() => expect(attempted).toContain(OTHER), { timeout: 5_000 });
    expect(attempted.filter((origin) => origin.startsWith(DEAD))).toHaveLength(8);
    expect(scheduler.inFlight).toBe(8);
    // A fresh report of another host finds a slot too.
    expect(scheduler.tryAttempt(job("https://third.example/x"))).not.toBeNull();
  });
});
