import { newMessageId, toDecimal } from "@smsgw/contracts";
import type { AdmissionGate } from "@smsgw/message-acceptance";
import {
  AUTH_FAILED,
  type DefaultLimits,
  NOT_ACCEPTED,
  outcomeUnknown,
  type Pipeline,
  type RateLimiter,
} from "@smsgw/message-acceptance";
import type { RequestHandler } from "express";
import { checkAccess } from "../domain/access.ts";
import { readSendFields } from "../domain/fields.ts";
import { type Authenticator, authenticateOnce } from "./auth.ts";
import { whilePublishing } from "./deadline.ts";
import { accountThrottle } from "./limits.ts";
import { sendError, sendJson } from "./reply.ts";
import { clientIpOf } from "./v1-auth.ts";

export interface SendDeps {
  maxParts: number;
  allowPrivateCallbacks: boolean;
  authenticator: Authenticator;
  accountLimiter: RateLimiter;
  defaultLimits: DefaultLimits;
  pipeline: Pipeline;
  admission: AdmissionGate;
  now(): number;
}

const NO_SCHEDULE = { sendAt: null, validUntil: null };

/**
 * The compatible send endpoint (`GET /` and `POST /`). Checks run in api.md's order, first
 * match wins: fields, credentials, the key's scope and allowlist, the account's rate, phone, sender, the door (blocked
 * countries, routing's rules), then pricing's charge. `success` is said only after
 * JetStream stored the accepted event. The fields are checked for shape only before the
 * credentials (the text by its length, O(1)); its parts are counted after the account's
 * rate limit (`pipeline.check`), so a refused client costs no text work.
 */
export function createSendHandler(deps: SendDeps): RequestHandler {
  const { pipeline } = deps;
  return async (req, res) => {
    const body: unknown = req.method === "POST" ? req.body : undefined;
    const fields = readSendFields(req.query, body, {
      maxParts: deps.maxParts,
      allowPrivateCallbacks: deps.allowPrivateCallbacks,
    });
    if (!fields.ok) return sendError(res, fields.error);
    const { value: input } = fields;

    const principal = authenticateOnce(deps.authenticator, req, input.hash, input.token);
    if (!principal) return sendError(res, AUTH_FAILED);
    const forbidden = checkAccess(principal, "send", clientIpOf(req));
    if (forbidden) return sendError(res, forbidden);
    const { account } = principal;
    const throttled = accountThrottle(deps, account, 1);
    if (throttled) return sendError(res, throttled);
    const shed = deps.admission.admit(account, 1, res);
    if (shed) return sendError(res, shed);

    const draft = pipeline.check(newMessageId(deps.now()), account, {
      fields: input,
      reference: null,
      schedule: NO_SCHEDULE,
    });
    if (!draft.ok) return sendError(res, draft.error);

    // The request deadline may have answered already: then nothing may be charged or sent.
    if (res.headersSent) return;
    const charged = await pipeline.charge(draft.value);
    if (!charged.ok) return sendError(res, charged.error);
    if (res.headersSent) return;
    const unknown = outcomeUnknown(draft.value.messageId);
    const accepted = await whilePublishing(
      res,
      () => sendError(res, unknown),
      () => pipeline.accept(draft.value, charged.value),
    );
    if (accepted === "unknown") return sendError(res, unknown);
    if (accepted === "not_stored") return sendError(res, NOT_ACCEPTED);
    sendJson(res, 200, {
      status: "success",
      messageId: draft.value.messageId,
      parts: draft.value.count.parts,
      cost: toDecimal(charged.value.amount),
      currency: charged.value.currency,
    });
  };
}
