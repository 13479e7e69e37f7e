import { companyExpected, createArrivalRate } from "./arrival-rate.ts";
import { withDeadline } from "./errors.ts";

/**
 * Group commit: items that arrive within `windowMs` of the first one (or until
 * `maxBatch` are waiting) are committed together, at most `maxConcurrent` commits at a
 * time. Items that arrive while every commit slot is busy form the next batch, which
 * starts as soon as a slot frees: under load, batches grow by themselves and no item
 * waits for a timer. The window is only waited when, at the last second's rate, another
 * item is expected within it (a trickle commits at once). A window of 0, or a trickle,
 * still lets the items of one event-loop turn meet.
 */
export interface GroupCommitOptions<T> {
  windowMs: number;
  maxBatch: number;
  /** Commits running at once (default 1). */
  maxConcurrent?: number;
  /**
   * A commit still running after this long is given up (`onError` with a
   * DeadlineExceededError) and its slot freed: a transaction hung on a dead connection must
   * not stop every later batch. The abandoned commit may still finish; its items were
   * already answered. Unset = no deadline.
   */
  timeoutMs?: number;
  /** Should settle every item itself; a rejection is passed to `onError`. */
  commit(batch: T[]): Promise<void>;
  onError(error: unknown, batch: T[]): void;
}

export interface GroupCommit<T> {
  add(item: T): void;
  /** Commits what is waiting and resolves when nothing is left or running. */
  drain(): Promise<void>;
  readonly waiting: number;
}

export function createGroupCommit<T>(options: GroupCommitOptions<T>): GroupCommit<T> {
  const maxConcurrent = options.maxConcurrent ?? 1;
  const queue: T[] = [];
  const running = new Set<Promise<void>>();
  let timer: { cancel(): void } | undefined;
  const arrivals = createArrivalRate();

  function flush(): void {
    timer?.cancel();
    timer = undefined;
    while (running.size < maxConcurrent && queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch);
      const committing = options.commit(batch);
      const bounded =
        options.timeoutMs === undefined
          ? committing
          : withDeadline(committing, options.timeoutMs, "charge commit");
      const work: Promise<void> = bounded
        .catch((error: unknown) => options.onError(error, batch))
        .finally(() => {
          running.delete(work);
          flush();
        });
      running.add(work);
    }
  }

  function schedule(): void {
    if (timer) return;
    if (companyExpected(arrivals.perSecond(Date.now()), options.windowMs)) {
      const handle = setTimeout(flush, options.windowMs);
      timer = { cancel: () => clearTimeout(handle) };
    } else {
      const handle = setImmediate(flush);
      timer = { cancel: () => clearImmediate(handle) };
    }
  }

  return {
    add(item) {
      queue.push(item);
      // The rate that decides whether to wait is the others' (noted after the decision).
      if (running.size < maxConcurrent) {
        if (queue.length >= options.maxBatch) flush();
        else schedule();
      }
      arrivals.note(Date.now());
    },
    async drain() {
      flush();
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    get waiting() {
      return queue.length;
    },
  };
}
