import { isMessageId } from "@smsgw/contracts";
import type { MessageReader as EventStoreReader } from "@smsgw/event-store";
import type { RequestHandler } from "express";
import { AUTH_FAILED, apiError } from "../domain/api-error.ts";
import { readCredentials } from "../domain/credentials.ts";
import { toMessageResource } from "../domain/message-resource.ts";
import type { RateLimiter } from "../domain/token-bucket.ts";
import type { Authenticator } from "./auth.ts";
import { rateLimited } from "./limits.ts";
import { sendError, sendJson } from "./reply.ts";

/** The event store's read side: the status projection of one message of one account. */
export type MessageReader = Pick<EventStoreReader, "getMessage">;

export interface MessageStatusDeps {
  authenticator: Authenticator;
  accountLimiter: RateLimiter;
  reader: MessageReader;
  now(): number;
}

const NOT_FOUND = apiError("not_found", "no such message");

/** `GET /v1/messages/:id`: the owner's view of one message; anyone else gets 404. */
export function createMessageStatusHandler(deps: MessageStatusDeps): RequestHandler<{
  id: string;
}> {
  return async (req, res) => {
    const credentials = readCredentials(req.get("authorization"), req.query);
    const account = credentials
      ? deps.authenticator.authenticate(credentials.hash, credentials.token)
      : null;
    if (!account) {
      res.set("www-authenticate", 'Basic realm="smsgw", charset="UTF-8"');
      return sendError(res, AUTH_FAILED);
    }
    const throttled = rateLimited(
      deps.accountLimiter.take(account.accountId, deps.now()),
      "too many requests for this account; retry after the Retry-After seconds",
    );
    if (throttled) return sendError(res, throttled);

    const { id } = req.params;
    if (!isMessageId(id)) return sendError(res, NOT_FOUND);
    const view = await deps.reader.getMessage(id, account.accountId);
    if (!view || view.accountId !== account.accountId) return sendError(res, NOT_FOUND);
    sendJson(res, 200, toMessageResource(view));
  };
}
