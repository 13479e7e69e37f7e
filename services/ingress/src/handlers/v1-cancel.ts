import { type CancelRequest, type CancelResponse, isMessageId } from "@smsgw/contracts";
import type { CancelScheduledDeps } from "@smsgw/message-read-model";
import { cancelScheduled } from "@smsgw/message-read-model";
import type { Logger } from "@smsgw/service-kit";
import type { RequestHandler, Response } from "express";
import { cancelRefusal } from "../domain/cancel-answer.ts";
import { type MessageReader, NOT_FOUND } from "./message-status.ts";
import { sendError, sendJson } from "./reply.ts";
import { authenticateV1, type V1AuthDeps } from "./v1-auth.ts";

export interface CancelDeps extends V1AuthDeps {
  reader: MessageReader;
  /** NATS request/reply to routing, which holds scheduled messages; throws when it does not answer. */
  askRouting(request: CancelRequest): Promise<CancelResponse>;
  log: Logger;
  now(): number;
  /** A cancel of many answers by then, whatever is still unanswered (below the request's ceiling). */
  waitLimitMs: number;
}

/** What `cancelScheduled` needs, from the handler's deps: this door's reader and NATS request. */
export function cancelScheduledDeps(deps: CancelDeps): CancelScheduledDeps {
  return {
    getMessage: (messageId, accountId) => deps.reader.getMessage(messageId, accountId),
    askRouting: deps.askRouting,
    now: deps.now,
  };
}

/**
 * `POST /v1/messages/:id/cancel` (ADR 0030): a message waiting for its `sendAt` is canceled
 * before it goes to any carrier. It then fails with errorCode `canceled` and its charge is
 * refunded (its status and webhook follow within a moment); asked again, the same answer. A
 * message already on its way or final, or never scheduled, is refused `409
 * message_not_cancelable`. Canceling is the counterpart of sending: the `send` scope; the
 * answers say no more of the message than that.
 */
export function cancelHandler(deps: CancelDeps): RequestHandler<{ id: string }> {
  const cancelDeps = cancelScheduledDeps(deps);
  return async (req, res) => {
    const account = authenticateV1(deps, req, res, "send");
    if (!account) return;
    const { id } = req.params;
    if (!isMessageId(id)) return sendError(res, NOT_FOUND);
    const outcome = await cancelScheduled(cancelDeps, account.accountId, id);
    if (outcome.kind === "unanswered") {
      deps.log.error({ err: outcome.error }, "cancel request failed");
    }
    const refusal = cancelRefusal(outcome);
    if (refusal) return sendError(res, refusal);
    canceled(res, id);
  };
}

/**
 * Only that it is canceled: canceling is the `send` scope's, and a key that may send need not
 * be one that may read the message.
 */
function canceled(res: Response, messageId: string): void {
  sendJson(res, 202, { messageId, canceled: true });
}
