import { newMessageId, toDecimal } from "@smsgw/contracts";
import type { EventPublisher, Logger } from "@smsgw/service-kit";
import type { RequestHandler } from "express";
import { acceptedEvent } from "../domain/accepted-event.ts";
import { AUTH_FAILED, apiError } from "../domain/api-error.ts";
import { outcomeOfAuthorize } from "../domain/authorize-outcome.ts";
import { readSendFields } from "../domain/fields.ts";
import { checkPhone } from "../domain/phone.ts";
import { checkSender } from "../domain/sender.ts";
import type { RateLimiter } from "../domain/token-bucket.ts";
import type { Authenticator } from "./auth.ts";
import type { Authorizer } from "./authorizer.ts";
import { rateLimited } from "./limits.ts";
import { sendError, sendJson } from "./reply.ts";

export interface SendDeps {
  maxParts: number;
  authenticator: Authenticator;
  accountLimiter: RateLimiter;
  authorizer: Authorizer;
  publisher: Pick<EventPublisher, "publish">;
  log: Logger;
  now(): number;
}

const NOT_ACCEPTED = apiError(
  "server_error",
  "the message was not accepted and not charged; retry",
);

/**
 * The compatible send endpoint (`GET /` and `POST /`). Checks run in api.md's order, first
 * match wins: fields, credentials, the account's rate, phone, sender, then pricing's charge.
 * `success` is said only after JetStream stored the accepted event.
 */
export function createSendHandler(deps: SendDeps): RequestHandler {
  const { log } = deps;
  return async (req, res) => {
    const body: unknown = req.method === "POST" ? req.body : undefined;
    const fields = readSendFields(req.query, body, { maxParts: deps.maxParts });
    if (!fields.ok) return sendError(res, fields.error);
    const { value: input } = fields;

    const account = deps.authenticator.authenticate(input.hash, input.token);
    if (!account) return sendError(res, AUTH_FAILED);

    const throttled = rateLimited(
      deps.accountLimiter.take(account.accountId, deps.now()),
      "too many requests for this account; retry after the Retry-After seconds",
    );
    if (throttled) return sendError(res, throttled);

    const destination = checkPhone(input.toNumber);
    if (!destination.ok) return sendError(res, destination.error);
    const sender = checkSender(input.fromNumber);
    if (!sender.ok) return sendError(res, sender.error);

    // The request deadline may have answered already: then nothing may be charged or sent.
    if (res.headersSent) return;
    const messageId = newMessageId(deps.now());
    let answer: Awaited<ReturnType<Authorizer["authorize"]>>;
    try {
      answer = await deps.authorizer.authorize({
        messageId,
        accountId: account.accountId,
        to: destination.value.e164,
        country: destination.value.country,
        parts: input.parts,
      });
    } catch (error) {
      log.error({ err: error, messageId }, "authorize failed; answered server_error");
      return sendError(res, NOT_ACCEPTED);
    }
    const charge = outcomeOfAuthorize(answer);
    if (!charge.ok) {
      if (charge.error.status === "server_error") {
        log.error({ messageId, answer }, "pricing answered error; answered server_error");
        return sendError(res, NOT_ACCEPTED);
      }
      return sendError(res, charge.error);
    }

    if (res.headersSent) {
      log.warn({ messageId }, "request deadline passed after the charge; not accepted");
      return;
    }
    const event = acceptedEvent({
      messageId,
      accountId: account.accountId,
      fields: input,
      destination: destination.value,
      sender: sender.value,
      charge: charge.value,
      occurredAt: new Date(deps.now()).toISOString(),
    });
    try {
      await deps.publisher.publish(event);
    } catch (error) {
      // Charged but not accepted: pricing's sweep refunds a charge without an accepted event.
      log.error({ err: error, messageId }, "accepted publish failed; answered server_error");
      return sendError(res, NOT_ACCEPTED);
    }
    sendJson(res, 200, {
      status: "success",
      messageId,
      parts: input.parts,
      cost: toDecimal(charge.value.amount),
      currency: charge.value.currency,
    });
  };
}
