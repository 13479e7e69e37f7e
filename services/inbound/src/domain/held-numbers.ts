/** Who holds a number: the inventory's word, and what the numbers KV bucket says. */
export interface Hold {
  number: string;
  accountId: string;
}

/**
 * What to write to the numbers bucket so that it says what the inventory says (the
 * inventory is the record; the bucket is what the doors watch): the holds it lacks or has
 * wrong, and the numbers it still names that nobody holds any more (a release or an
 * operator's removal whose delete was lost).
 */
export function bucketChanges(
  inventory: readonly Hold[],
  bucket: readonly Hold[],
): { put: Hold[]; remove: string[] } {
  const inBucket = new Map(bucket.map((h) => [h.number, h.accountId]));
  const held = new Set(inventory.map((h) => h.number));
  return {
    put: inventory.filter((h) => inBucket.get(h.number) !== h.accountId),
    remove: bucket.filter((h) => !held.has(h.number)).map((h) => h.number),
  };
}
