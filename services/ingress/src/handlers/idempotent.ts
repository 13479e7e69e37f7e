import { createHash } from "node:crypto";
import {
  type ApiError,
  apiError,
  type Checked,
  passed,
  v1HttpStatus,
} from "@smsgw/message-acceptance";
import type { Logger } from "@smsgw/service-kit";
import type { Request, Response } from "express";
import {
  canonicalJson,
  isIdempotencyKey,
  locationOfStored,
  MAX_BODY_DEPTH,
  renewedIds,
} from "../domain/idempotency.ts";
import { sinceArrival } from "./deadline.ts";
import type { IdempotencyStore } from "./idempotency-store.ts";
import { errorBody, sendError } from "./reply.ts";

/** An answer as bytes, so that a replay is the first answer byte for byte. */
export interface Answer {
  httpStatus: number;
  body: string;
  /** A server error somewhere in it: the key is released for a retry, not stored. */
  retryable: boolean;
  /**
   * Message ids it used that were charged and refunded before (pricing answered `refunded`):
   * they can never be sent, and the send may go again with new ones in their places.
   */
  spentIds?: string[];
  /** Sent as Retry-After (an unknown outcome's; never stored, as the answer is retryable). */
  retryAfterSec?: number;
  /** Sent as Location (a stored message's); a replay derives it from the stored body. */
  location?: string;
}

export const errorAnswer = (error: ApiError): Answer => ({
  httpStatus: v1HttpStatus(error.status),
  body: JSON.stringify(errorBody(error)),
  retryable: isRetryableStatus(error.status),
  ...(error.retryAfterSec === undefined ? {} : { retryAfterSec: error.retryAfterSec }),
});

/**
 * Answers not kept under the key: the retry runs again under the same message ids. An
 * unknown outcome (ADR 0022) too: the retry republishes the same event, which JetStream and
 * the consumers take once, or learns that its window closed.
 */
export function isRetryableStatus(status: string): boolean {
  return status === "server_error" || status === "outcome_unknown";
}

/** Writes the answer unless one was already sent (the request deadline's): it never throws. */
export function writeAnswer(res: Response, answer: Answer): void {
  if (res.headersSent) return;
  if (answer.location !== undefined) res.set("location", answer.location);
  if (answer.retryAfterSec !== undefined) res.set("retry-after", String(answer.retryAfterSec));
  res
    .status(answer.httpStatus)
    .set("content-type", "application/json; charset=utf-8")
    .set("cache-control", "no-store")
    .send(answer.body);
}

/** The `Idempotency-Key` header: absent, or 1-255 visible ASCII characters. */
export function readIdempotencyKey(req: Request): Checked<string | undefined> {
  const key = req.get("idempotency-key");
  if (key !== undefined && !isIdempotencyKey(key)) {
    return {
      ok: false,
      error: apiError("invalid_params", "Idempotency-Key must be 1-255 visible ASCII characters"),
    };
  }
  return passed(key);
}

export interface IdempotentDeps {
  idempotency: IdempotencyStore;
  log: Logger;
  /** When a waiter gives up on a key another request holds (ms from the request's arrival). */
  waitLimitMs: number;
}

/**
 * Runs `send` at most once per (account, key) and body: the key is claimed first with the
 * message ids the send will use (`newIds`), a retry with the same body gets the stored
 * answer, another body gets 422 idempotency_key_reused. An answer with a server error is
 * not stored: the key is released and the retry runs `send` again with the same ids, so
 * pricing's once-per-messageId charge and JetStream's de-duplication hold across retries.
 */
export async function answerOnce(
  deps: IdempotentDeps,
  res: Response,
  claim: { accountId: string; key: string; body: unknown; newIds: string[]; started: number },
  send: (ids: string[]) => Promise<Answer>,
): Promise<void> {
  const { accountId, key } = claim;
  const fingerprint = fingerprintOf(claim.body);
  if (fingerprint === null) {
    // A batch item may hold any JSON; nested this deep it is no message (and cannot be hashed).
    return sendError(
      res,
      apiError("invalid_params", `body is nested more than ${MAX_BODY_DEPTH} levels deep`),
    );
  }
  const claimed = await deps.idempotency.claim({
    accountId,
    key,
    fingerprint,
    newMessageId: claim.newIds.join(","),
    // Counted from the request's arrival, as the request's deadline is: after a slow upload a
    // waiter still answers "still running" (retry) before the deadline's own 500.
    deadline: claim.started + Math.max(0, deps.waitLimitMs - sinceArrival(res)),
  });
  switch (claimed.kind) {
    case "replay":
      return replay(res, claimed);
    case "reused":
      return sendError(
        res,
        apiError(
          "idempotency_key_reused",
          "this Idempotency-Key was used with a different body; use a new key for a new message",
        ),
      );
    case "timeout":
      return sendError(
        res,
        apiError(
          "server_error",
          "the first request with this Idempotency-Key is still running; retry",
        ),
      );
    case "owner": {
      // The key is stored or released whatever the work does: left pending, every retry would
      // wait for it and be told "still running" until the claim goes stale.
      let answer: Answer | undefined;
      try {
        answer = await sendRenewing(deps, claim, claimed.messageId.split(","), send);
      } finally {
        await settleKey(deps, accountId, key, answer);
      }
      return writeAnswer(res, answer);
    }
  }
}

async function sendRenewing(
  deps: IdempotentDeps,
  claim: { accountId: string; key: string; newIds: string[] },
  ids: string[],
  send: (ids: string[]) => Promise<Answer>,
): Promise<Answer> {
  const answer = await send(ids);
  const renewed = renewedIds(ids, answer.spentIds ?? [], claim.newIds);
  if (renewed === null) return answer;
  // A retry long after a server error: the sweep refunded a first attempt's charge (its
  // acceptance never came), so that id can never be sent. The key takes this request's new id
  // in its place (a batch's other items keep theirs: charged and stored once by id, they are
  // answered again as they are) and the send goes once more.
  await deps.idempotency.renew(claim.accountId, claim.key, renewed.join(","));
  return send(renewed);
}

/** Keeps the answer under the key, or releases the key (a server error, or no answer: it threw). */
async function settleKey(
  deps: IdempotentDeps,
  accountId: string,
  key: string,
  answer: Answer | undefined,
): Promise<void> {
  try {
    if (answer === undefined || answer.retryable) await deps.idempotency.release(accountId, key);
    else await deps.idempotency.complete(accountId, key, answer.httpStatus, answer.body);
  } catch (error) {
    // The answer stands; a retry finds the key pending and takes it over once stale.
    deps.log.error({ err: error }, "idempotency key not stored");
  }
}

/** What a key's body is told apart by: its content without credentials; null when too deep. */
export function fingerprintOf(body: unknown): string | null {
  const { hash: _h, token: _t, ...content } = body as Record<string, unknown>;
  const canonical = canonicalJson(content);
  return canonical === null ? null : createHash("sha256").update(canonical).digest("hex");
}

function replay(res: Response, stored: { httpStatus: number; body: string }): void {
  if (res.headersSent) return;
  res.set("idempotent-replayed", "true");
  const location = locationOfStored(stored.httpStatus, stored.body);
  if (location !== null) res.set("location", location);
  writeAnswer(res, { httpStatus: stored.httpStatus, body: stored.body, retryable: false });
}

/**
 * Answers the stored first answer when the key holds one for this body, and says whether it
 * did; claims nothing. For a retry the checks now refuse though its first request passed them
 * (`validUntil` was in the future then): a retry gets the first result (api.md section 5).
 */
export async function replayIfStored(
  deps: Pick<IdempotentDeps, "idempotency" | "log">,
  res: Response,
  stored: { accountId: string; key: string; body: unknown },
): Promise<boolean> {
  const { body } = stored;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const fingerprint = fingerprintOf(body);
  if (fingerprint === null) return false;
  try {
    const answer = await deps.idempotency.stored(stored.accountId, stored.key, fingerprint);
    if (answer === null) return false;
    replay(res, answer);
    return true;
  } catch (error) {
    // The refusal the retry would get anyway stands.
    deps.log.warn({ err: error }, "idempotency key not read");
    return false;
  }
}
