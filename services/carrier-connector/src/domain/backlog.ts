/**
 * How many more parts a carrier link may be given now. Orders are claimed (ADR 0008) only
 * when their parts can go out within `limitMs` at the rate the carrier takes them: a claim
 * older than the reconcile window with no outcome is ended "outcome unknown", so what is
 * claimed must never sit that long behind a slow carrier's TPS cap or throttle. Beyond it,
 * orders stay in JetStream (nak'd with a delay) instead of in this process's memory.
 */
export interface LinkBacklog {
  /** Parts handed to the link and not answered yet (waiting for the rate, a window slot, or the carrier). */
  pendingParts: number;
  /** Parts a second the link sends: its TPS cap where it has one, else what it sent lately. */
  ratePerSec: number;
}

/** The most parts a link may hold at once whatever its rate (a cold start has no rate yet). */
export const MIN_BACKLOG_PARTS = 500;
/** How long the parts a link holds may take to go out at its rate. */
export const BACKLOG_LIMIT_MS = 20_000;

export function roomFor(backlog: LinkBacklog, limitMs = BACKLOG_LIMIT_MS): number {
  const fits = Math.max(MIN_BACKLOG_PARTS, Math.floor((backlog.ratePerSec * limitMs) / 1000));
  return Math.max(0, fits - backlog.pendingParts);
}

/** How long a refused order waits before it is offered again: about the backlog's drain. */
export function backlogRetryDelayMs(backlog: LinkBacklog): number {
  const drainMs = (backlog.pendingParts * 1000) / Math.max(1, backlog.ratePerSec);
  return Math.min(30_000, Math.max(1_000, Math.round(drainMs / 2)));
}
