import { isMessageId } from "@smsgw/contracts";
import { apiError } from "@smsgw/message-acceptance";
import type { MessageReader as EventStoreReader } from "@smsgw/message-read-model";
import type { RequestHandler } from "express";
import { toMessageResource } from "../domain/message-resource.ts";
import { sendError, sendJson } from "./reply.ts";
import { authenticateV1, type V1AuthDeps } from "./v1-auth.ts";

/** The event store's read side: the status projection of one message of one account. */
export type MessageReader = Pick<EventStoreReader, "getMessage" | "listEvents">;

export interface MessageStatusDeps extends V1AuthDeps {
  reader: MessageReader;
}

export const NOT_FOUND = apiError("not_found", "no such message");

/** `GET /v1/messages/:id`: the owner's view of one message; anyone else gets 404. */
export function createMessageStatusHandler(deps: MessageStatusDeps): RequestHandler<{
  id: string;
}> {
  return async (req, res) => {
    const account = authenticateV1(deps, req, res, "read");
    if (!account) return;

    const { id } = req.params;
    if (!isMessageId(id)) return sendError(res, NOT_FOUND);
    const view = await deps.reader.getMessage(id, account.accountId);
    if (!view || view.accountId !== account.accountId) return sendError(res, NOT_FOUND);
    sendJson(res, 200, toMessageResource(view));
  };
}
