import { apiError } from "@smsgw/message-acceptance";
import type { RequestHandler, Response } from "express";
import { sendError } from "./reply.ts";

/** What the deadline answers while a publish of charged messages is in flight (`whilePublishing`). */
type DeadlineAnswer = () => void;

const PUBLISHING = Symbol("publishing");
const ARRIVED = Symbol("arrived");

interface Locals {
  [PUBLISHING]?: DeadlineAnswer;
  /** When the deadline began counting (`performance.now()`): the request reached the app. */
  [ARRIVED]?: number;
}

/**
 * The request's ceiling (api.md: 30 s). Nothing answered by then: `server_error`, "nothing
 * was accepted" — true until pricing charged and the accepted event went out. While that
 * publish is in flight (`whilePublishing`), the event may be stored: the deadline then gives
 * the answer a lost PubAck gives (503 `outcome_unknown` with the messageId, ADR 0022), and
 * the handler, when the publish ends, keeps or releases the Idempotency-Key by its real
 * outcome (a retry then replays 202, or runs again under the same messageId).
 */
export function deadline(ms: number): RequestHandler {
  return (_req, res, next) => {
    (res.locals as Locals)[ARRIVED] = performance.now();
    const timer = setTimeout(() => {
      const publishing = (res.locals as Locals)[PUBLISHING];
      if (publishing) return publishing();
      sendError(res, apiError("server_error", "the request did not complete in time"));
    }, ms);
    res.once("close", () => clearTimeout(timer));
    next();
  };
}

/**
 * Ms since the request's deadline began counting (0 outside one): a handler's own wait, which
 * must end before the deadline, counts from the same instant, not from when the handler began
 * (after a body that may have taken seconds to upload).
 */
export function sinceArrival(res: Response): number {
  const arrived = (res.locals as Locals)[ARRIVED];
  return arrived === undefined ? 0 : performance.now() - arrived;
}

/**
 * Runs the publish of charged messages with `onDeadline` as the deadline's answer until its
 * outcome is known (`onDeadline` writes the unknown outcome of every message in flight).
 */
export async function whilePublishing<T>(
  res: Response,
  onDeadline: DeadlineAnswer,
  publish: () => Promise<T>,
): Promise<T> {
  const locals = res.locals as Locals;
  locals[PUBLISHING] = onDeadline;
  try {
    return await publish();
  } finally {
    delete locals[PUBLISHING];
  }
}
