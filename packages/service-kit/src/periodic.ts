/**
 * Runs `run` every `everyMs`, one run at a time (a slow run delays the next, never overlaps
 * it), the first after one period; `onError` hears a failed run and the next one retries.
 * `stop()` cancels the timer and waits for the run in progress. For a service's housekeeping
 * jobs (the retention jobs, ADR 0021), whose work is bounded per run.
 */
export function startPeriodic(options: {
  everyMs: number;
  run(): Promise<unknown>;
  onError(error: unknown): void;
}): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return;
      await options.run().catch(options.onError);
    });
  }, options.everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
