import { describe, expect, it } from "vitest";
import { DeadlineExceededError } from "./errors.ts";
import { createGroupCommit } from "./group-commit.ts";

function recorder(commitMs = 0) {
  const batches: number[][] = [];
  const errors: unknown[] = [];
  const group = createGroupCommit<number>({
    windowMs: 5,
    maxBatch: 3,
    commit: async (batch) => {
      batches.push(batch);
      await new Promise((resolve) => setTimeout(resolve, commitMs));
      if (batch.includes(-1)) throw new Error("boom");
    },
    onError: (error) => errors.push(error),
  });
  return { group, batches, errors };
}

describe("group commit", () => {
  it("when items arrive together, they are committed as one batch", async () => {
    const { group, batches } = recorder();
    group.add(1);
    group.add(2);
    await group.drain();
    expect(batches).toEqual([[1, 2]]);
  });

  it("when items trickle in (none expected within the window), each is committed at once", async () => {
    const batches: number[][] = [];
    const group = createGroupCommit<number>({
      windowMs: 1_000,
      maxBatch: 10,
      commit: async (batch) => {
        batches.push(batch);
      },
      onError: () => undefined,
    });
    group.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
  });

  it("when more than maxBatch arrive, they are split and committed one batch at a time", async () => {
    const { group, batches } = recorder(5);
    for (const n of [1, 2, 3, 4, 5, 6, 7]) group.add(n);
    await group.drain();
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it("when items arrive during a commit, they form the next batch", async () => {
    const { group, batches } = recorder(20);
    group.add(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    group.add(2);
    group.add(3);
    expect(group.waiting).toBe(2);
    await group.drain();
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it("when a commit fails, the error is reported and later batches still run", async () => {
    const { group, batches, errors } = recorder();
    group.add(-1);
    await group.drain();
    group.add(4);
    await group.drain();
    expect(errors).toHaveLength(1);
    expect(batches).toEqual([[-1], [4]]);
  });

  it("when two commits may run at once, a second batch starts without waiting for the first", async () => {
    let running = 0;
    let most = 0;
    const batches: number[][] = [];
    const group = createGroupCommit<number>({
      windowMs: 0,
      maxBatch: 2,
      maxConcurrent: 2,
      commit: async (batch) => {
        batches.push(batch);
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running--;
      },
      onError: () => undefined,
    });
    for (const n of [1, 2, 3, 4, 5]) group.add(n);
    await group.drain();
    expect(most).toBe(2);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("when a commit hangs past its deadline, its batch gets the error and the next batch still commits", async () => {
    const committed: number[][] = [];
    const errors: unknown[] = [];
    const group = createGroupCommit<number>({
      windowMs: 0,
      maxBatch: 1,
      timeoutMs: 30,
      commit: async (batch) => {
        if (batch[0] === 1) await new Promise(() => undefined); // never settles
        committed.push(batch);
      },
      onError: (error) => errors.push(error),
    });
    group.add(1);
    group.add(2);
    await group.drain();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DeadlineExceededError);
    expect(committed).toEqual([[2]]);
  });
});
