/** How a simulated carrier writes its message ids. */
export type IdBase = "hex" | "decimal";

/**
 * Fresh message ids from a counter, written in the carrier's base. `start` comes from the
 * caller (random in the service) so two runs of the simulator do not reuse each other's ids.
 */
export function createMessageIds(base: IdBase, start: number): () => string {
  let next = start;
  return () => formatMessageId(base, next++);
}

export function formatMessageId(base: IdBase, value: number): string {
  return base === "hex" ? value.toString(16).padStart(8, "0") : String(value);
}

/** A start that keeps ids of a fixed width for a long while: 8 hex digits, 10 decimal. */
export function idStart(base: IdBase, random: number): number {
  return base === "hex"
    ? 0x10000000 + Math.floor(random * 0x60000000)
    : 1_000_000_000 + Math.floor(random * 1_000_000_000);
}
