import { setNewest } from "@smsgw/service-kit";

/**
 * The concatenation references of this process's messages, kept per destination. A handset
 * joins parts by sender and reference: two long messages in flight to it at once with one
 * reference are garbled together. Drawn at random, any two collide once in 256 (udh8 keeps the
 * low byte), however far apart. Here a destination's next message takes the reference after
 * its last one (wrapping at 65,536), so consecutive messages this process sends one handset
 * never share one; a destination not seen lately starts at random. Messages another replica
 * sends the same handset keep the odds of random references. The
 * destinations are bounded: the one least recently sent to is forgotten first.
 */
export function createConcatRefs(
  random: () => number,
  capacity = 100_000,
): (destination: string) => number {
  const last = new Map<string, number>();
  return (destination) => {
    const before = last.get(destination);
    const ref = before === undefined ? Math.trunc(random()) & 0xffff : (before + 1) & 0xffff;
    setNewest(last, destination, ref, capacity);
    return ref;
  };
}
