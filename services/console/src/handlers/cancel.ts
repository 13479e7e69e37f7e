import { isMessageId } from "@smsgw/contracts";
import {
  type CancelScheduledDeps,
  cancelScheduled,
  type MessageReader,
} from "@smsgw/message-read-model";
import type { Logger } from "@smsgw/service-kit";
import type { Router } from "express";
import { cancelNoticeOf } from "../domain/cancel.ts";
import { messageNotFoundPage } from "../domain/pages/messages.ts";
import { auditBy } from "./reauth.ts";
import type { RoutingClient } from "./routing-client.ts";
import { pageContext, requireCsrf, requireUser, signedIn } from "./security.ts";

export interface CancelOptions {
  reader: Pick<MessageReader, "getMessage">;
  routing: RoutingClient;
  logger: Logger;
  now(): number;
}

/**
 * "Cancel scheduled message" on a message's page (ADR 0030): the decision is
 * `cancelScheduled`'s, as for the API's `POST /v1/messages/{id}/cancel`, for the session's
 * account; a role that may send may cancel (domain/roles.ts). Every outcome but "no such
 * message" goes back to the page (post/redirect/get) with its notice; another account's
 * message is the page's own 404.
 */
export function mountCancel(router: Router, options: CancelOptions): void {
  const { reader, routing, logger } = options;
  const deps: CancelScheduledDeps = {
    getMessage: (messageId, accountId) => reader.getMessage(messageId, accountId),
    askRouting: (request) => routing.cancel(request),
    now: options.now,
  };

  router.post("/messages/:messageId/cancel", requireUser, requireCsrf, async (req, res) => {
    const messageId = String(req.params.messageId);
    const user = signedIn(res);
    const outcome = isMessageId(messageId)
      ? await cancelScheduled(deps, user.accountId, messageId)
      : ({ kind: "not_found" } as const);
    if (outcome.kind === "not_found") {
      return void res.status(404).send(messageNotFoundPage(pageContext(res)).value);
    }
    // Not an audit entry (the audit log takes team changes from the console): the log says who.
    const who = { accountId: user.accountId, messageId, actor: auditBy(req, user).actor };
    if (outcome.kind === "unanswered") {
      logger.warn({ ...who, err: outcome.error }, "cancel got no answer");
    } else {
      logger.info({ ...who, outcome: outcome.kind }, "cancel of a scheduled message");
    }
    res.redirect(303, `/messages/${messageId}?cancel=${cancelNoticeOf(outcome)}`);
  });
}
