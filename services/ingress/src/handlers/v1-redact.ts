import { isMessageId, type RedactRequest, type RedactResponse } from "@smsgw/contracts";
import { apiError } from "@smsgw/message-acceptance";
import type { Logger } from "@smsgw/service-kit";
import type { RequestHandler } from "express";
import { toRedactedResource } from "../domain/message-resource.ts";
import { type MessageReader, NOT_FOUND } from "./message-status.ts";
import { sendError, sendJson } from "./reply.ts";
import { authenticateV1, type V1AuthDeps } from "./v1-auth.ts";

export interface RedactDeps extends V1AuthDeps {
  reader: MessageReader;
  /** NATS request/reply to the event store, which owns the erasure; throws when it does not answer. */
  askEventStore(request: RedactRequest): Promise<RedactResponse>;
  /** Drops the stored answers of this message's idempotent sends (they hold the number). */
  forgetIdempotentAnswers(accountId: string, messageId: string): Promise<void>;
  log: Logger;
}

const EVENT_STORE_DOWN = apiError("server_error", "the message could not be erased now; retry");

/**
 * `POST /v1/messages/:id/redact` (api.md section 7, ADR 0021): the event store erases the
 * text and number of the account's final message, then the message is answered as it now
 * is. Changing data the account keeps is the `manage` scope, as keys and opt-outs are.
 */
export function redactHandler(deps: RedactDeps): RequestHandler<{ id: string }> {
  return async (req, res) => {
    const account = authenticateV1(deps, req, res, "manage");
    if (!account) return;
    const { id } = req.params;
    if (!isMessageId(id)) return sendError(res, NOT_FOUND);
    let answer: RedactResponse;
    try {
      answer = await deps.askEventStore({ accountId: account.accountId, messageId: id });
    } catch (error) {
      deps.log.error({ err: error }, "redact request failed");
      return sendError(res, EVENT_STORE_DOWN);
    }
    if (answer.outcome === "not_found") return sendError(res, NOT_FOUND);
    if (answer.outcome === "in_flight") {
      return sendError(
        res,
        apiError(
          "message_in_flight",
          `the message is ${answer.status}: it can be erased once it has a final status`,
        ),
      );
    }
    if (answer.outcome !== "redacted") return sendError(res, EVENT_STORE_DOWN);
    await deps.forgetIdempotentAnswers(account.accountId, id);
    const view = await deps.reader.getMessage(id, account.accountId);
    if (!view) return sendError(res, NOT_FOUND);
    sendJson(res, 200, toRedactedResource(view));
  };
}
