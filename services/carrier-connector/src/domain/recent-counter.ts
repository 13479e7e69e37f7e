/**
 * Counts over the last minute in six 10-second slots, so health can say "errors in the last
 * minute" without keeping a timestamp per submit. Pure: the caller passes the clock.
 */
export function createRecentCounter(windowMs = 60_000, slots = 6) {
  const slotMs = windowMs / slots;
  const counts = new Array<number>(slots).fill(0);
  let currentSlot = -1;

  function advance(nowMs: number): void {
    const slot = Math.floor(nowMs / slotMs);
    if (currentSlot === -1 || slot - currentSlot >= slots) counts.fill(0);
    else for (let s = currentSlot + 1; s <= slot; s++) counts[s % slots] = 0;
    currentSlot = Math.max(currentSlot, slot);
  }

  return {
    add(nowMs: number, n = 1): void {
      advance(nowMs);
      counts[currentSlot % slots] = (counts[currentSlot % slots] ?? 0) + n;
    },
    total(nowMs: number): number {
      advance(nowMs);
      return counts.reduce((a, b) => a + b, 0);
    },
  };
}
