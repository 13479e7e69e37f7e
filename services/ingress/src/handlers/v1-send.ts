import { type AccountRecord, newMessageId, toDecimal } from "@smsgw/contracts";
import type { AdmissionGate } from "@smsgw/message-acceptance";
import {
  type ApiError,
  acceptedAt,
  apiError,
  type Charge,
  type Checked,
  checkSchedule,
  checkTextBounds,
  type Draft,
  NOT_ACCEPTED,
  outcomeUnknown,
  type Pipeline,
  passed,
  type ScheduleLimits,
  type SendInput,
} from "@smsgw/message-acceptance";
import type { Logger } from "@smsgw/service-kit";
import type { Request, RequestHandler, Response } from "express";
import { describeIssue, SendMessage } from "../domain/api-schemas.ts";
import { readCallbackStatuses } from "../domain/callback-statuses.ts";
import { checkCallbackUrl } from "../domain/fields.ts";
import { whilePublishing } from "./deadline.ts";
import type { IdempotencyStore } from "./idempotency-store.ts";
import {
  type Answer,
  answerOnce,
  errorAnswer,
  readIdempotencyKey,
  replayIfStored,
  writeAnswer,
} from "./idempotent.ts";
import { sendError } from "./reply.ts";
import { authenticateV1, principalOfV1, type V1AuthDeps } from "./v1-auth.ts";

export interface V1SendDeps extends V1AuthDeps {
  maxParts: number;
  allowPrivateCallbacks: boolean;
  schedule: ScheduleLimits;
  pipeline: Pipeline;
  admission: AdmissionGate;
  idempotency: IdempotencyStore;
  log: Logger;
  /** When a waiter gives up on a key another request holds (ms from the request's start). */
  waitLimitMs: number;
}

export interface SendOptions {
  maxParts: number;
  allowPrivateCallbacks: boolean;
  schedule: ScheduleLimits;
}

const V1_NAMES = { to: "to", from: "from" };

/**
 * A v1 message's fields (one of a batch, or the body of `POST /v1/messages`) checked for
 * shape; the text by its length only (its parts are counted by `pipeline.check`).
 */
export function readV1Message(raw: unknown, options: SendOptions, now: number): Checked<SendInput> {
  const parsed = SendMessage.safeParse(raw);
  if (!parsed.success)
    return { ok: false, error: apiError("invalid_params", describeIssue(parsed.error)) };
  const body = parsed.data;
  for (const name of ["to", "from", "text"] as const) {
    if (body[name] === "")
      return { ok: false, error: apiError("invalid_params", `${name} is empty`) };
  }
  const bounded = checkTextBounds(body.text, options.maxParts);
  if (!bounded.ok) return bounded;
  const callbackUrl = checkCallbackUrl(body.callbackUrl, options.allowPrivateCallbacks);
  if (!callbackUrl.ok) return callbackUrl;
  // JSON: a comma-separated string as on the compatible endpoint, or an array of strings.
  const callbackStatuses = readCallbackStatuses(body.callbackStatuses, { allowArray: true });
  if (!callbackStatuses.ok) return callbackStatuses;
  const schedule = checkSchedule(body, now, options.schedule);
  if (!schedule.ok) return schedule;
  return passed({
    fields: {
      toNumber: body.to,
      fromNumber: body.from,
      text: body.text,
      callbackUrl: callbackUrl.value,
      callbackStatuses: callbackStatuses.value,
    },
    reference: body.reference ?? null,
    schedule: schedule.value,
    names: V1_NAMES,
  });
}

/**
 * The message resource of an accepted message, as `GET /v1/messages/{id}` will show it: its
 * times are the accepted event's (`acceptedAt`), which the event store folds into createdAt.
 */
export function acceptedResource(draft: Draft, charge: Charge, now: number) {
  const at = acceptedAt(charge, now);
  const { amount: cost, currency } = charge;
  return {
    messageId: draft.messageId,
    status: "queued" as const,
    to: draft.destination.e164,
    from: draft.sender,
    parts: draft.count.parts,
    cost: toDecimal(cost),
    currency,
    reference: draft.input.reference,
    errorCode: null,
    createdAt: at,
    updatedAt: at,
    statusTimes: { queued: at },
    sendAt: draft.input.schedule.sendAt,
    validUntil: draft.input.schedule.validUntil,
  };
}

/**
 * `POST /v1/messages`: 202 with the message resource. With an `Idempotency-Key`, the key
 * is claimed (per account) before anything is charged; a retry with the same body gets
 * the stored first answer, another body gets 422 idempotency_key_reused, and a retry
 * after a server error sends again under the same messageId (charged at most once).
 */
export function createV1SendHandler(deps: V1SendDeps): RequestHandler {
  return async (req, res) => {
    const started = deps.now();
    const input = readV1Message(req.body, deps, started);
    if (!input.ok) return refuseUnlessReplay(deps, req, res, input.error);
    const key = readIdempotencyKey(req);
    if (!key.ok) return sendError(res, key.error);
    const account = authenticateV1(deps, req, res, "send");
    if (!account) return;
    // Before the key is claimed: a refusal at capacity is not stored as the key's answer.
    const shed = deps.admission.admit(account, 1, res);
    if (shed) return sendError(res, shed);

    const run = async ([messageId = newMessageId(started)]: string[]) =>
      send(deps, account, messageId, input.value, res);
    if (key.value === undefined) return writeAnswer(res, await run([]));
    await answerOnce(
      deps,
      res,
      {
        accountId: account.accountId,
        key: key.value,
        body: req.body,
        newIds: [newMessageId(started)],
        started,
      },
      run,
    );
  };
}

/**
 * A send the checks refuse may be the retry of one they passed: its `validUntil` was in the
 * future then. With an `Idempotency-Key` holding an answer for this body, by its account, the
 * retry gets that first answer; otherwise the refusal, which comes before authentication in
 * api.md's order of checks (so nothing here answers about the credentials).
 */
async function refuseUnlessReplay(
  deps: V1SendDeps,
  req: Request,
  res: Response,
  error: ApiError,
): Promise<void> {
  const key = readIdempotencyKey(req);
  const principal = key.ok && key.value !== undefined ? principalOfV1(deps, req, "send") : null;
  if (key.ok && key.value !== undefined && principal) {
    const stored = { accountId: principal.account.accountId, key: key.value, body: req.body };
    if (await replayIfStored(deps, res, stored)) return;
  }
  sendError(res, error);
}

async function send(
  deps: V1SendDeps,
  account: AccountRecord,
  messageId: string,
  input: SendInput,
  res: Response,
): Promise<Answer> {
  const draft = deps.pipeline.check(messageId, account, input);
  if (!draft.ok) return errorAnswer(draft.error);
  if (res.headersSent) return errorAnswer(NOT_ACCEPTED);
  const charged = await deps.pipeline.charge(draft.value);
  if (!charged.ok) {
    const answer = errorAnswer(charged.error);
    return charged.error.idSpent ? { ...answer, spentIds: [messageId] } : answer;
  }
  // The request deadline answered already: nothing may be sent (pricing's sweep refunds).
  if (res.headersSent) return errorAnswer(NOT_ACCEPTED);
  const unknown = errorAnswer(outcomeUnknown(messageId));
  const accepted = await whilePublishing(
    res,
    () => writeAnswer(res, unknown),
    () => deps.pipeline.accept(draft.value, charged.value),
  );
  if (accepted === "unknown") return unknown;
  if (accepted === "not_stored") return errorAnswer(NOT_ACCEPTED);
  const resource = acceptedResource(draft.value, charged.value, deps.now());
  // Set when written: the deadline may have answered while the publish was in flight.
  const location = `/v1/messages/${messageId}`;
  return { httpStatus: 202, body: JSON.stringify(resource), retryable: false, location };
}
