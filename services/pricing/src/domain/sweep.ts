/**
 * How old an unsettled charge must be before the sweep decides it (ADR 0024). Its
 * acceptance, if any, was stored before its `publishBy` (ADR 0022); the event store's record
 * is complete up to `caughtUpTo`, the newest stored time before which it has read every
 * event. Only charges older than the grace period *before that time* are decided: a charge
 * missing from a record not yet complete for it may just not have been read yet. Caught up
 * (nothing pending), `caughtUpTo` is now and the age is the grace period.
 *
 * Returns the minimum age in ms, or null for "decide nothing now" (the record's progress is
 * unknown: the event store never read anything, or its durable cannot be asked).
 */
export function refundAgeMs(input: {
  now: number;
  graceMs: number;
  /** ms: every event stored before this the event store has read; null = unknown. */
  caughtUpTo: number | null;
}): number | null {
  if (input.caughtUpTo === null) return null;
  return Math.max(0, input.now - input.caughtUpTo) + input.graceMs;
}

/**
 * Up to when the event store's record is complete, from its durable's state (`now` taken
 * before asking): nothing pending or unacked means everything stored until the question;
 * otherwise everything up to the ack floor, whose stored time (`floorStoredAt`) the caller
 * looked up. Null when neither tells (a floor of 0, or its message no longer stored).
 */
export function recordCompleteUntil(input: {
  now: number;
  pending: number;
  ackPending: number;
  floorStoredAt: number | null;
}): number | null {
  if (input.pending === 0 && input.ackPending === 0) return input.now;
  return input.floorStoredAt;
}
