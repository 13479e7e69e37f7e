/**
 * How many items arrived in the last second, estimated from two one-second counts (the
 * current second's and, weighted by how much of it is still inside the last 1,000 ms, the
 * previous one's). Cheap enough to note every item.
 */
export interface ArrivalRate {
  note(nowMs: number, count?: number): void;
  perSecond(nowMs: number): number;
}

export function createArrivalRate(): ArrivalRate {
  let second = 0;
  let current = 0;
  let previous = 0;
  function roll(nowMs: number): void {
    const now = Math.floor(nowMs / 1000);
    if (now === second) return;
    previous = now === second + 1 ? current : 0;
    current = 0;
    second = now;
  }
  return {
    note(nowMs, count = 1) {
      roll(nowMs);
      current += count;
    },
    perSecond(nowMs) {
      roll(nowMs);
      const elapsed = (nowMs % 1000) / 1000;
      return previous * (1 - elapsed) + current;
    },
  };
}

/**
 * Whether holding an item `windowMs` for company is worth its latency: only when, at the
 * recent rate, at least one more item is expected meanwhile. A quiet stream, or a client
 * that sends one request at a time, never waits for a batch that would not come.
 */
export function companyExpected(perSecond: number, windowMs: number): boolean {
  return windowMs > 0 && (perSecond * windowMs) / 1000 >= 1;
}
