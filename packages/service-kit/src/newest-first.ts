/**
 * Sets `key` as the map's newest entry (a Map keeps insertion order) and drops the oldest past
 * `capacity`: the bounded, least-recently-set memories the services keep per replica.
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > capacity) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}
