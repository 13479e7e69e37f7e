/**
 * Bind slots spread across connector replicas (ADR 0007). A carrier's `binds` are slots
 * 0..binds-1; each is leased by at most one live replica (a KV key written with compare-and-
 * set and renewed every tick). These functions decide, from one replica's view of the lease
 * table, which slots it takes and which it gives back. Pure: views and clocks come in.
 */

/** One slot as the table shows it now. `holder` undefined: free (never taken, released, or stale). */
export interface SlotView {
  index: number;
  holder: string | undefined;
  /** The holder says its bind on this slot is up. */
  bound: boolean;
}

export interface LeasePlan {
  /** Free slots to take (lowest first). */
  take: number[];
  /** Slots of mine to give back (highest first): beyond the carrier's binds, or above my share. */
  release: number[];
}

/** A lease entry is fresh while its last write (server time) is at most `ttlMs` old. */
export function isFresh(writtenAtMs: number, serverNowMs: number, ttlMs: number): boolean {
  return serverNowMs - writtenAtMs <= ttlMs;
}

/**
 * My share of one carrier's slots among the live replicas: between floor(binds / live) and
 * ceil(binds / live). I take free slots up to the ceiling, but only up to the floor while
 * another replica is below the floor (so a newcomer gets its share first); I give back what
 * is above the ceiling, and one slot above the floor when another replica is below the floor
 * and no free slot is left for it. Every replica applies the same rule, compare-and-set keeps
 * a slot single-held, so the table settles at holdings that differ by at most one.
 */
export function planCarrierLeases(
  binds: number,
  slots: readonly SlotView[],
  me: string,
  live: readonly string[],
): LeasePlan {
  const replicas = new Set(live);
  replicas.add(me);
  const count = new Map<string, number>([...replicas].map((r) => [r, 0]));
  const mine: number[] = [];
  const release: number[] = [];
  const free: number[] = [];
  const byIndex = new Map(slots.map((s) => [s.index, s]));
  for (const slot of slots) {
    if (slot.index >= binds) {
      if (slot.holder === me) release.push(slot.index);
    }
  }
  for (let index = 0; index < binds; index++) {
    const holder = byIndex.get(index)?.holder;
    if (holder === undefined || !replicas.has(holder)) free.push(index);
    else {
      count.set(holder, (count.get(holder) ?? 0) + 1);
      if (holder === me) mine.push(index);
    }
  }
  const floor = Math.floor(binds / replicas.size);
  const ceil = Math.ceil(binds / replicas.size);
  let deficit = 0;
  for (const [replica, n] of count) if (replica !== me) deficit += Math.max(0, floor - n);

  let keep = Math.min(mine.length, ceil);
  if (keep === ceil && ceil > floor && deficit > free.length) keep -= 1;
  const highestFirst = [...mine].sort((a, b) => b - a);
  release.push(...highestFirst.slice(0, mine.length - keep));

  const want = (deficit > 0 ? floor : ceil) - keep;
  const take = want > 0 ? free.slice(0, want) : [];
  return { take, release: release.sort((a, b) => b - a) };
}

/**
 * Whether this replica pulls a carrier's routed messages: while one of its own binds to the
 * carrier is up, or, when no replica has the carrier bound, while it holds one of the
 * carrier's slots (someone must still answer those messages: wait, then fail them over).
 */
export function shouldConsume(input: {
  boundHere: boolean;
  holdsSlot: boolean;
  boundElsewhere: boolean;
}): boolean {
  return input.boundHere || (input.holdsSlot && !input.boundElsewhere);
}
