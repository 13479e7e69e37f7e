/** The last `capacity` items, oldest first: a bounded record for tests and a look by hand. */
export function createRecent<T>(capacity: number) {
  const items: T[] = new Array(capacity);
  let start = 0;
  let size = 0;
  return {
    push(item: T): void {
      if (size < capacity) {
        items[(start + size) % capacity] = item;
        size += 1;
      } else {
        items[start] = item;
        start = (start + 1) % capacity;
      }
    },
    list(): T[] {
      const out: T[] = [];
      for (let i = 0; i < size; i++) out.push(items[(start + i) % capacity] as T);
      return out;
    },
    get size() {
      return size;
    },
  };
}
