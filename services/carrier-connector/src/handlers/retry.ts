import { errorMessage, type Logger } from "@smsgw/service-kit";

/** Runs `task` until it succeeds, at most `attempts` times, waiting 200 ms, 400 ms … between. */
export async function withRetries<T>(
  task: () => Promise<T>,
  options: { attempts: number; log: Logger; what: string; baseDelayMs?: number },
): Promise<T> {
  const base = options.baseDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt >= options.attempts) throw error;
      options.log.warn({ err: errorMessage(error), attempt }, `${options.what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, base * 2 ** (attempt - 1)));
    }
  }
}
