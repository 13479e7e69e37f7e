import type { ApiError } from "./api-error.ts";

/**
 * What a door may say after publishing a MessageAccepted (ADR 0022). `stored`: JetStream
 * acknowledged it in time, so it stands. `not_stored`: every attempt found no stream (no
 * responders), so none holds it. `unknown`: the acknowledgement never came (it may be stored,
 * or not), or came too close to the charge's `publishBy` for the door's clock to vouch that
 * the copy is not void. A publish that may have been stored is never answered as one that was
 * not, or a client's retry sends the message twice.
 */
export type AcceptOutcome = "stored" | "not_stored" | "unknown";

/**
 * Clocks (pricing's, the NATS server's, the door's) may disagree by this much: the door
 * publishes, and vouches for a stored copy, only this far before `publishBy`. A quarter of
 * the window at most, so a short window (tests, drills) still leaves room to publish.
 */
const CLOCK_MARGIN_MS = 1_000;

function marginOf(publishBy: number, chargedAnswerAt: number): number {
  return Math.min(CLOCK_MARGIN_MS, Math.max(0, (publishBy - chargedAnswerAt) / 4));
}

/**
 * Whether the accepted event may still be published at `now`. A retry of a message charged
 * long ago (an idempotent replay after the window) is not published: its copy would be
 * void, and an earlier attempt's may stand, so the answer is `unknown`.
 */
export function mayPublish(
  publishBy: string | undefined,
  chargedAnswerAt: number,
  now: number,
): boolean {
  if (!publishBy) return true;
  const by = Date.parse(publishBy);
  return now < by - marginOf(by, chargedAnswerAt);
}

/**
 * The outcome of a publish that was attempted: acknowledged at `ackedAt`, failed with no
 * stream taking it (`"not_stored"`), or failed otherwise (null: unknown).
 */
export function outcomeOfPublish(
  publishBy: string | undefined,
  chargedAnswerAt: number,
  ackedAt: number | null | "not_stored",
): AcceptOutcome {
  if (ackedAt === "not_stored") return "not_stored";
  if (ackedAt === null) return "unknown";
  if (!publishBy) return "stored";
  const by = Date.parse(publishBy);
  return ackedAt <= by - marginOf(by, chargedAnswerAt) ? "stored" : "unknown";
}

/** Seconds a client should wait before retrying an unknown outcome. */
export const OUTCOME_UNKNOWN_RETRY_AFTER_SEC = 5;

/** The answer for an unknown outcome: retry with the same key, or look the message up. */
export function outcomeUnknown(messageId: string): ApiError {
  return {
    status: "outcome_unknown",
    message:
      "the message was charged and may have been accepted, but the gateway could not confirm it: " +
      "do not send it again as a new message; retry with the same Idempotency-Key, or look up " +
      "GET /v1/messages/{messageId} (a 404 there after a minute means it was not accepted and the charge is refunded)",
    retryAfterSec: OUTCOME_UNKNOWN_RETRY_AFTER_SEC,
    messageId,
  };
}
