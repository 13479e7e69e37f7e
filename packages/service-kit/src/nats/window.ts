/**
 * Runs async tasks with at most `limit` in flight: JetStream publishes awaited one by
 * one manage ~5,000/s, with hundreds in flight ~30,000/s (design.md, performance budget).
 */
export function createWindow(limit: number) {
  let inFlight = 0;
  const waiting: Array<() => void> = [];

  async function run<T>(task: () => Promise<T>): Promise<T> {
    if (inFlight >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight++;
    try {
      return await task();
    } finally {
      inFlight--;
      waiting.shift()?.();
    }
  }
  return {
    run,
    get inFlight() {
      return inFlight;
    },
  };
}
