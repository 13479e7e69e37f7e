import type { SubmitFailure } from "./events.ts";
import type { AcceptedPart } from "./submit-outcome.ts";

/**
 * What to do with a routed event whose submission was already claimed (ADR 0008): its
 * outcome is unknown to this delivery. Never submit again; say again what was decided, or,
 * when nothing was and the claim is stale, decide "failed, outcome unknown" once.
 */
export type Reconciliation =
  /** Every part has a carrier id: MessageSubmitted again (its id de-duplicates it). */
  | { kind: "submitted"; parts: AcceptedPart[] }
  /** The claim recorded its SubmitFailed: publish it again (same id, same data). */
  | { kind: "failed"; failure: SubmitFailure }
  /** The claim is young: its first delivery may still be submitting. Look again later. */
  | { kind: "wait"; delayMs: number }
  /** Stale, unfinished: the terminal outcome, recorded so every replica says the same. */
  | { kind: "unknown"; failure: SubmitFailure };

export interface ClaimState {
  claimedAt: Date;
  failure: SubmitFailure | null;
}

export interface KnownPart {
  part: number;
  covers: number;
  totalParts: number;
  carrierMessageId: string;
}

const MAX_WAIT_MS = 30_000;

/**
 * `parts`: the accepted parts stored for the message on this carrier. A claim younger than
 * `staleAfterMs` may belong to a submit still running (throttled, queued behind a window): it
 * must be longer than the longest a batch can take, so a decision here never races one there.
 * `claimerGone`: the replica that claimed is no longer alive (its heartbeat lapsed): no submit
 * of it can still be running, so there is nothing to wait for.
 */
export function reconcileClaim(
  claim: ClaimState,
  parts: readonly KnownPart[],
  now: Date,
  staleAfterMs: number,
  claimerGone = false,
): Reconciliation {
  if (claim.failure) return { kind: "failed", failure: claim.failure };
  const total = parts[0]?.totalParts ?? 0;
  const covered = new Map<number, string>();
  for (const p of parts) {
    for (let i = 0; i < p.covers; i++) covered.set(p.part + i, p.carrierMessageId);
  }
  if (total > 0 && Array.from({ length: total }, (_, i) => i + 1).every((n) => covered.has(n))) {
    return {
      kind: "submitted",
      parts: [...covered]
        .sort(([a], [b]) => a - b)
        .map(([part, carrierMessageId]) => ({ part, carrierMessageId })),
    };
  }
  const age = now.getTime() - claim.claimedAt.getTime();
  if (age < staleAfterMs && !claimerGone) {
    return { kind: "wait", delayMs: Math.min(MAX_WAIT_MS, Math.max(1_000, staleAfterMs - age)) };
  }
  const known = new Set(covered.keys()).size;
  return {
    kind: "unknown",
    failure: {
      retryable: false,
      commandStatus: null,
      detail:
        `outcome unknown: claimed ${claim.claimedAt.toISOString()} and never finished` +
        `${claimerGone ? " (its replica died)" : ""}; ` +
        `${known} part(s) have a carrier id; not resubmitted (the carrier may have it)`,
    },
  };
}
