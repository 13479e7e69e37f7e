import { errorMessage, type Logger } from "@smsgw/service-kit";

export interface RetryOptions {
  /** At most this many runs (Infinity with `untilMs`). */
  attempts: number;
  /** No new run begins after this time (epoch ms). */
  untilMs?: number;
  log: Logger;
  what: string;
  /** The first wait, doubling: 200 ms, 400 ms … */
  baseDelayMs?: number;
  /** Waits stop growing here. */
  maxDelayMs?: number;
}

/** Runs `task` until it succeeds, within `attempts` runs and before `untilMs`. */
export async function withRetries<T>(task: () => Promise<T>, options: RetryOptions): Promise<T> {
  const base = options.baseDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? Number.POSITIVE_INFINITY;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      const delay = Math.min(maxDelay, base * 2 ** (attempt - 1));
      const late = options.untilMs !== undefined && Date.now() + delay > options.untilMs;
      if (attempt >= options.attempts || late) throw error;
      options.log.warn({ err: errorMessage(error), attempt }, `${options.what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
