import { emptyScoreCounts, type ScoreCounts } from "@smsgw/contracts";

/**
 * What this replica saw of each carrier per score key, in time slots over the last window
 * (ADR 0009): submits, retryable refusals, final receipts by outcome and receipt latency.
 * Published with the carrier's health record; routing sums the replicas' counts into its
 * scores. Pure: the caller passes the clock.
 */
export interface ScoreCounter {
  submitted(carrierId: string, key: string, atMs: number): void;
  /** A retryable refusal: the carrier did not take the message. */
  refused(carrierId: string, key: string, atMs: number): void;
  /** A part's final receipt; `latencyMs` for the first part (submit stored -> receipt). */
  receipt(
    carrierId: string,
    key: string,
    delivered: boolean,
    atMs: number,
    latencyMs?: number,
  ): void;
  /** The carrier's slots still inside the window, oldest first. */
  countsOf(carrierId: string, nowMs: number): ScoreCounts[];
  /** Adds counts published before (a restart with the same replica id keeps its history). */
  seed(carrierId: string, counts: readonly ScoreCounts[]): void;
  readonly slotMs: number;
}

type Field = "submits" | "submitFailures" | "delivered" | "undelivered";

export function createScoreCounter(windowMs: number, slotMs: number): ScoreCounter {
  /** carrier -> "<slot start>|<key>" -> counts. */
  const carriers = new Map<string, Map<string, ScoreCounts>>();

  function entry(carrierId: string, key: string, atMs: number): ScoreCounts {
    let slots = carriers.get(carrierId);
    if (!slots) {
      slots = new Map();
      carriers.set(carrierId, slots);
    }
    const at = atMs - (atMs % slotMs);
    const id = `${at}|${key}`;
    let counts = slots.get(id);
    if (!counts) {
      // A new slot: drop the ones past the window (a carrier no record is published for,
      // one not configured here, is never read, so it is pruned here).
      prune(slots, atMs);
      counts = emptyScoreCounts(key, at);
      slots.set(id, counts);
    }
    return counts;
  }

  function prune(slots: Map<string, ScoreCounts>, nowMs: number): void {
    const since = nowMs - windowMs;
    for (const [id, counts] of slots) if (counts.at + slotMs <= since) slots.delete(id);
  }

  const add = (carrierId: string, key: string, atMs: number, field: Field) => {
    entry(carrierId, key, atMs)[field] += 1;
  };

  return {
    slotMs,
    submitted: (carrierId, key, atMs) => add(carrierId, key, atMs, "submits"),
    refused: (carrierId, key, atMs) => add(carrierId, key, atMs, "submitFailures"),
    receipt(carrierId, key, delivered, atMs, latencyMs) {
      const counts = entry(carrierId, key, atMs);
      if (delivered) counts.delivered += 1;
      else counts.undelivered += 1;
      if (latencyMs !== undefined && latencyMs >= 0) {
        counts.latencyMsSum += latencyMs;
        counts.latencyCount += 1;
      }
    },
    countsOf(carrierId, nowMs) {
      const slots = carriers.get(carrierId);
      if (!slots) return [];
      prune(slots, nowMs);
      return [...slots.values()].sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1));
    },
    seed(carrierId, counts) {
      for (const old of counts) {
        // A slot of another length is placed by its start: close enough for a ratio.
        const into = entry(carrierId, old.key, old.at);
        into.submits += old.submits;
        into.submitFailures += old.submitFailures;
        into.delivered += old.delivered;
        into.undelivered += old.undelivered;
        into.latencyMsSum += old.latencyMsSum;
        into.latencyCount += old.latencyCount;
      }
    },
  };
}
