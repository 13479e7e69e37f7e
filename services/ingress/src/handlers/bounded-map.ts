/**
 * `work` on every item, at most `limit` at once, begun in the items' order; the results in
 * the items' order. Past `withinMs` nothing more is begun and every item still without a
 * result gets `late(item)` at once (those in flight finish unheard): an answer within a
 * request's ceiling however slow the work. `work` answers its own failures (it never throws).
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
  options: { withinMs: number; late: (item: T) => R },
): Promise<R[]> {
  const results = new Map<number, R>();
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && next < items.length) {
      const index = next++;
      const result = await work(items[index] as T);
      if (!stopped) results.set(index, result);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, options.withinMs);
  });
  const workers = Array.from({ length: Math.min(limit, items.length) }, worker);
  try {
    await Promise.race([Promise.all(workers), late]);
  } finally {
    stopped = true;
    clearTimeout(timer);
  }
  return items.map((item, index) =>
    results.has(index) ? (results.get(index) as R) : options.late(item),
  );
}
