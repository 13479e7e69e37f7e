/**
 * A key of the bucket as it was read: its value (undefined when deleted, or never written),
 * and its revision then (0: never written), which a write to it must still find.
 */
export interface BucketEntry<T> {
  value: T | undefined;
  revision: number;
}

/** A write of the sync, made only if the key is still at `revision` (compare-and-set). */
export type MirrorWrite<T> =
  | { kind: "put"; key: string; entry: T; revision: number }
  | { kind: "remove"; key: string; revision: number };

/**
 * What to write to a KV bucket so that it says what a table says (the table is the record;
 * the bucket is the copy the doors watch): the entries it lacks or has wrong, and the keys it
 * still holds that the table no longer has (a delete lost in a crash, an operator's change).
 *
 * The bucket is read first and the table after it, and each write carries the revision the
 * key had when the bucket was read: a take or release that lands in between (its row in the
 * table read, or its own write in the bucket after the read) makes that write fail, and the
 * change's own write wins. A key the table holds but the bucket read did not look at (taken
 * since) is left to the take's own write, or the next sync.
 */
export function mirrorChanges<T>(
  want: readonly T[],
  have: ReadonlyMap<string, BucketEntry<T>>,
  keyOf: (entry: T) => string,
  same: (a: T, b: T) => boolean,
): MirrorWrite<T>[] {
  const wanted = new Set(want.map(keyOf));
  const puts = want.flatMap((entry): MirrorWrite<T>[] => {
    const key = keyOf(entry);
    const current = have.get(key);
    if (current === undefined) return [];
    if (current.value !== undefined && same(current.value, entry)) return [];
    return [{ kind: "put", key, entry, revision: current.revision }];
  });
  const removes = [...have.entries()].flatMap(([key, current]): MirrorWrite<T>[] =>
    current.value !== undefined && !wanted.has(key)
      ? [{ kind: "remove", key, revision: current.revision }]
      : [],
  );
  return [...puts, ...removes];
}
