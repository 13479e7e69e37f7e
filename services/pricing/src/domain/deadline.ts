/**
 * When an authorize request's charge must be written by: the door answers "not accepted, not
 * charged" once it stops waiting (its `answerBy`), so a charge written later would take money
 * for a message nobody sends (until the sweep refunds it). Pure: times are arguments (ms).
 */

/**
 * Room left between the charge's write and the door's deadline: the commit, the answer's way
 * back, and clocks that differ (NTP keeps them well within it, ADR 0022).
 */
export const ANSWER_MARGIN_MS = 500;

/**
 * The request's deadline: the door's `answerBy` less the margin, and never later than
 * pricing's own commit timeout from its arrival (all a door of the version before gets).
 */
export function chargeDeadline(input: {
  arrivedAt: number;
  commitTimeoutMs: number;
  /** The door's `answerBy` (ms), when it sent one. */
  answerBy: number | undefined;
}): number {
  const own = input.arrivedAt + input.commitTimeoutMs;
  return input.answerBy === undefined ? own : Math.min(own, input.answerBy - ANSWER_MARGIN_MS);
}

/**
 * A batch about to be decided: the requests whose deadline has passed are answered at once
 * (nothing charged), the others are decided together and written by the earliest of their
 * deadlines (undefined when none is left).
 */
export function splitByDeadline<T extends { deadline: number }>(
  batch: readonly T[],
  now: number,
): { expired: T[]; live: T[]; deadline: number | undefined } {
  const expired: T[] = [];
  const live: T[] = [];
  let deadline: number | undefined;
  for (const item of batch) {
    if (item.deadline <= now) {
      expired.push(item);
      continue;
    }
    live.push(item);
    deadline = deadline === undefined ? item.deadline : Math.min(deadline, item.deadline);
  }
  return { expired, live, deadline };
}
