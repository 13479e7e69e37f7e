/**
 * A bind whose SMSC has stopped answering submit_sm while its SMPP front-end still answers
 * enquire_link (a wedged application behind a live session): the keepalive never sees a dead
 * link, and every submit written to it ends "outcome unknown" (ADR 0008). The rule: after
 * `threshold` submit_sm in a row on one session timed out, with no answer to any submit on it
 * in between, the bind is dropped and bound again.
 *
 * Why a count of timeouts in a row rather than "no answer for a time window while requests are
 * outstanding": that window, measured from the oldest outstanding submit, is the response
 * timeout again, so it adds nothing but a timer; and it cannot count enquire_link answers, which
 * are exactly what a wedged SMSC still sends. A count needs no clock, does not depend on load,
 * and is bounded in time anyway (each timeout is `responseTimeoutMs` after its write); a single
 * lost PDU (threshold > 1) does not cost a bind. Any answer to a submit, on time or late, OK or
 * refused or generic_nack, shows the application is alive and starts the count over.
 */
export type SubmitAnswer = "answered" | "timedOut";

export interface UnansweredSubmits {
  /** Submits on this session that timed out since its last answer to one. */
  readonly timeoutsInARow: number;
}

export const NONE_UNANSWERED: UnansweredSubmits = { timeoutsInARow: 0 };

/**
 * The session's count after one more submit ended, and whether to drop its bind now: true
 * once, when the count reaches `threshold` (0 = never drop), so the timeouts after it (the
 * rest of its window) do not drop it again.
 */
export function afterSubmitAnswer(
  state: UnansweredSubmits,
  answer: SubmitAnswer,
  threshold: number,
): { state: UnansweredSubmits; drop: boolean } {
  if (answer === "answered") return { state: NONE_UNANSWERED, drop: false };
  const timeoutsInARow = state.timeoutsInARow + 1;
  return { state: { timeoutsInARow }, drop: threshold > 0 && timeoutsInARow === threshold };
}

/**
 * What the carrier's health says (`unresponsive`): a bind was dropped for unanswered submits
 * within `windowMs` and no submit on any of its binds has been answered since. Routing takes
 * such a carrier as degraded: each message sent there would end "outcome unknown".
 */
export function isUnresponsive(
  lastDropAtMs: number | undefined,
  lastAnswerAtMs: number | undefined,
  nowMs: number,
  windowMs: number,
): boolean {
  if (lastDropAtMs === undefined || nowMs - lastDropAtMs >= windowMs) return false;
  return lastAnswerAtMs === undefined || lastAnswerAtMs < lastDropAtMs;
}
