import { setNewest } from "@smsgw/service-kit";

/**
 * Receipts for carrier ids no part holds, by when each id was first found unknown. A carrier
 * told "retry later" sends the receipt again, and some do so for ever (or hold every later
 * receipt of the bind behind it): an id still unknown `dropAfterMs` after it was first seen
 * never will be (a submit whose answer was lost, an id from before our time), so the receipt
 * is then acknowledged and dropped. Bounded: the oldest entries go first past `maxEntries`.
 * Per replica, in memory: a receipt that moves to another replica's bind starts its own count.
 */
export function createUnknownReceipts(dropAfterMs: number, maxEntries = 10_000) {
  /** Key -> when first seen unknown; insertion order is age order. */
  const firstSeen = new Map<string, number>();

  return {
    /**
     * Records that a receipt for `key` found no holder at `nowMs` (it arrived at `arrivedMs`),
     * and says whether to give it up: true once the id has been unknown `dropAfterMs`.
     */
    giveUp(key: string, arrivedMs: number, nowMs: number): boolean {
      const since = firstSeen.get(key);
      // Seen long before and not since: the carrier stopped sending that one; this is another.
      if (since === undefined || nowMs - since >= 2 * dropAfterMs) {
        setNewest(firstSeen, key, arrivedMs, maxEntries);
        return nowMs - arrivedMs >= dropAfterMs;
      }
      if (nowMs - since < dropAfterMs) return false;
      firstSeen.delete(key); // given up: a later receipt for the id starts its own count
      return true;
    },
    get size(): number {
      return firstSeen.size;
    },
  };
}
