/**
 * What to write to a KV bucket so that it says what a table says (the table is the record;
 * the bucket is the copy the doors watch): the entries it lacks or has wrong, and the keys it
 * still holds that the table no longer has (a delete lost in a crash, an operator's change).
 */
export function mirrorChanges<T>(
  want: readonly T[],
  have: ReadonlyMap<string, T>,
  keyOf: (entry: T) => string,
  same: (a: T, b: T) => boolean,
): { put: T[]; remove: string[] } {
  const wanted = new Set(want.map(keyOf));
  return {
    put: want.filter((entry) => {
      const current = have.get(keyOf(entry));
      return current === undefined || !same(current, entry);
    }),
    remove: [...have.keys()].filter((key) => !wanted.has(key)),
  };
}
