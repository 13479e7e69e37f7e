/**
 * How old an unaccepted charge must be before the sweep refunds it. When the
 * acceptance log's consumer has caught up, a charge older than the grace period with
 * no MessageAccepted really was never accepted. When it has a backlog (pricing was down,
 * NATS was slow), a missing acceptance may just not have been read yet: only charges
 * older than the grace period *before the newest acceptance read* are refunded, and none
 * before the first acceptance is read.
 *
 * Returns the minimum age in ms, or null for "refund nothing now".
 */
export function refundAgeMs(input: {
  now: number;
  graceMs: number;
  /** Messages the accepted consumer has not logged yet: not delivered, or delivered and unacked. */
  backlog: number;
  /** occurredAt (ms) of the newest MessageAccepted read; 0 = none yet. */
  lastAcceptedAt: number;
}): number | null {
  if (input.backlog === 0) return input.graceMs;
  if (input.lastAcceptedAt === 0) return null;
  return Math.max(0, input.now - input.lastAcceptedAt) + input.graceMs;
}
