/**
 * What the scheduler asks the queue for (pure): how many due jobs in all, and how many per
 * origin. Claimed jobs wait in small per-origin ready queues until their origin has a slot.
 */

/** Jobs claimed ahead per origin, in multiples of its share: a freed slot starts the next job without a query. */
export const PREFETCH = 4;

/** An origin with attempts in flight or jobs waiting in memory. */
export interface OriginInUse {
  origin: string;
  inFlight: number;
  /** Claimed jobs waiting for a slot. */
  ready: number;
  /** Attempts it may run at once now (its full share, fewer when slow or probing). */
  share: number;
  blocked: boolean;
}

export interface ClaimRequest {
  limit: number;
  /** Jobs at most per origin not listed in `limited`. */
  perOrigin: number;
  /** Origins that may take fewer (busy, waiting, slow, backing off), with how many. */
  limited: { origins: string[]; free: number[] };
}

/**
 * Memory holds at most 2 × `concurrency` jobs (running and waiting), and each origin up to
 * PREFETCH × its share (waiting: PREFETCH × `perOrigin` at most, however far its share grew). When that room is used up by origins with jobs already waiting (slow
 * ones with a backlog), the origins with nothing waiting still get `reserve` more: a report
 * of an origin nobody is attempting is never kept out of memory by another's backlog (and
 * the claim takes each origin's oldest before anyone's second, db/jobs.ts). Null: nothing to ask.
 */
export function claimRequest(input: {
  concurrency: number;
  perOrigin: number;
  running: number;
  origins: readonly OriginInUse[];
}): ClaimRequest | null {
  const readyTotal = input.origins.reduce((sum, o) => sum + o.ready, 0);
  const room = 2 * input.concurrency - input.running - readyTotal;
  const reserve = Math.max(1, Math.floor(input.concurrency / 8));
  const onlyIdle = room <= 0;
  const limit = onlyIdle ? room + reserve : room;
  if (limit <= 0) return null;
  const limited = { origins: [] as string[], free: [] as number[] };
  for (const o of input.origins) {
    limited.origins.push(o.origin);
    limited.free.push(
      o.blocked || (onlyIdle && o.ready > 0)
        ? 0
        : // An origin whose share grew (ADR 0028) still waits with at most what its first
          // share would: one busy endpoint must not take the room every other origin shares.
          Math.max(
            0,
            Math.min(PREFETCH * o.share - o.inFlight, PREFETCH * input.perOrigin) - o.ready,
          ),
    );
  }
  return { limit, perOrigin: PREFETCH * input.perOrigin, limited };
}
