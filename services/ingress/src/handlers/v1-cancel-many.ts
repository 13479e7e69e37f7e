import { isMessageId } from "@smsgw/contracts";
import { type ApiError, apiError } from "@smsgw/message-acceptance";
import { type CancelOutcome, cancelScheduled } from "@smsgw/message-read-model";
import type { RequestHandler } from "express";
import { CancelMessages, describeIssue } from "../domain/api-schemas.ts";
import { cancelRefusal } from "../domain/cancel-answer.ts";
import { mapBounded } from "./bounded-map.ts";
import { sinceArrival } from "./deadline.ts";
import { sendError, sendJson } from "./reply.ts";
import { authenticateV1 } from "./v1-auth.ts";
import { type CancelDeps, cancelScheduledDeps } from "./v1-cancel.ts";

/** Cancels asked at once by one request: each is a read of the projection and a NATS request. */
export const CANCEL_CONCURRENCY = 16;

type ItemResult =
  | { index: number; messageId: string; canceled: true }
  | {
      index: number;
      messageId: string;
      canceled: false;
      status: ApiError["status"];
      message: string;
    };

/** Not asked, or not answered, by the time the request had to be answered. */
const NOT_IN_TIME = apiError(
  "server_error",
  "the cancel did not complete in time: it may have taken effect; ask again (harmless)",
);

/**
 * `POST /v1/messages/cancel` (ADR 0030, amendment of 2026-12-07): `{messageIds}`, 1 to 1,000
 * scheduled messages canceled as `POST /v1/messages/{id}/cancel` cancels one, `concurrency`
 * at once, with one result per id in request order (an id given twice is asked once and
 * answered at each position). The request as a whole is refused only for its shape, the
 * credentials (the `send` scope), or the account's rate: one token per id, as the batch send
 * takes one per message, since each id is the work of one single cancel. Answers 200 `{canceled,
 * refused, results}`; an item not canceled carries the single cancel's error status and message
 * (another account's id, or one that is no message id, is `not_found`). Answered within
 * `waitLimitMs` of the request's arrival (the deadline's instant, so a slow upload does not
 * push the answer past it): an id not answered by then is a `server_error` to ask again.
 */
export function cancelManyHandler(
  deps: CancelDeps,
  concurrency = CANCEL_CONCURRENCY,
): RequestHandler {
  const cancelDeps = cancelScheduledDeps(deps);
  return async (req, res) => {
    const body = CancelMessages.safeParse(req.body);
    if (!body.success) {
      return sendError(res, apiError("invalid_params", describeIssue(body.error)));
    }
    const { messageIds } = body.data;
    const account = authenticateV1(deps, req, res, "send", messageIds.length);
    if (!account) return;

    const cancelOne = async (messageId: string): Promise<[string, ApiError | null]> => {
      if (!isMessageId(messageId)) return [messageId, cancelRefusal({ kind: "not_found" })];
      let outcome: CancelOutcome;
      try {
        outcome = await cancelScheduled(cancelDeps, account.accountId, messageId);
      } catch (error) {
        // The projection could not be read: this item fails, not the request.
        outcome = { kind: "unanswered", error };
      }
      if (outcome.kind === "unanswered") {
        deps.log.error({ err: outcome.error, messageId }, "cancel request failed");
      }
      return [messageId, cancelRefusal(outcome)];
    };
    const refusalOf = new Map(
      await mapBounded([...new Set(messageIds)], concurrency, cancelOne, {
        withinMs: Math.max(0, deps.waitLimitMs - sinceArrival(res)),
        late: (messageId) => [messageId, NOT_IN_TIME],
      }),
    );
    const results = messageIds.map((messageId, index): ItemResult => {
      const refusal = refusalOf.get(messageId);
      if (refusal === null) return { index, messageId, canceled: true };
      const { status, message } = refusal ?? NOT_IN_TIME;
      return { index, messageId, canceled: false, status, message };
    });
    const canceled = results.filter((result) => result.canceled).length;
    sendJson(res, 200, { canceled, refused: results.length - canceled, results });
  };
}
