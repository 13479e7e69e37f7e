import type { AccountRecord } from "@smsgw/contracts";
import { newMessageId } from "@smsgw/contracts";
import type { AdmissionGate } from "@smsgw/message-acceptance";
import {
  type ApiError,
  apiError,
  type Charge,
  type Draft,
  NOT_ACCEPTED,
  outcomeUnknown,
  type Pipeline,
} from "@smsgw/message-acceptance";
import type { RequestHandler, Response } from "express";
import { describeIssue, SendBatchEnvelope } from "../domain/api-schemas.ts";
import { whilePublishing } from "./deadline.ts";
import {
  type Answer,
  answerOnce,
  errorAnswer,
  type IdempotentDeps,
  isRetryableStatus,
  readIdempotencyKey,
  writeAnswer,
} from "./idempotent.ts";
import { sendError } from "./reply.ts";
import { authenticateV1, type V1AuthDeps } from "./v1-auth.ts";
import { acceptedResource, readV1Message, type SendOptions } from "./v1-send.ts";

export interface V1BatchDeps extends V1AuthDeps, SendOptions, IdempotentDeps {
  pipeline: Pipeline;
  admission: AdmissionGate;
}

type ItemResult =
  | {
      index: number;
      status: "queued";
      messageId: string;
      resource: ReturnType<typeof acceptedResource>;
    }
  | { index: number; status: ApiError["status"]; message: string; messageId?: string };

const refusal = (index: number, error: ApiError): ItemResult => ({
  index,
  status: error.status,
  message: error.message,
});

/** ADR 0022: charged, published, unconfirmed; the item names its message to look up. */
const unknownItem = (index: number, messageId: string): ItemResult => ({
  ...refusal(index, outcomeUnknown(messageId)),
  messageId,
});

/**
 * `POST /v1/messages/batch`: up to 1,000 messages, each checked, charged and accepted on
 * its own (partial success), with one result per item in request order. The batch as a
 * whole is refused only for its shape, the credentials, or the account's rate (one token
 * per message). Charges are asked concurrently and the accepted events go out in one
 * publish window. Answers 200 with `{accepted, refused, results}`. With an
 * `Idempotency-Key` the whole batch is sent at most once; a batch where some item met a
 * server error is not stored, and its retry runs again under the same message ids (the
 * accepted items are then charged and stored once, by messageId).
 */
export function createV1BatchHandler(deps: V1BatchDeps): RequestHandler {
  return async (req, res) => {
    const started = deps.now();
    const envelope = SendBatchEnvelope.safeParse(req.body);
    if (!envelope.success) {
      return sendError(res, apiError("invalid_params", describeIssue(envelope.error)));
    }
    const key = readIdempotencyKey(req);
    if (!key.ok) return sendError(res, key.error);
    const items = envelope.data.messages;
    const account = authenticateV1(deps, req, res, "send", items.length);
    if (!account) return;
    const shed = deps.admission.admit(account, items.length, res);
    if (shed) return sendError(res, shed);

    const newIds = items.map(() => newMessageId(started));
    const run = (ids: string[]) => sendBatch(deps, account, items, ids, started, res);
    if (key.value === undefined) return writeAnswer(res, await run(newIds));
    await answerOnce(
      deps,
      res,
      { accountId: account.accountId, key: key.value, body: req.body, newIds, started },
      run,
    );
  };
}

async function sendBatch(
  deps: V1BatchDeps,
  account: AccountRecord,
  items: unknown[],
  ids: string[],
  now: number,
  res: Response,
): Promise<Answer> {
  const { pipeline } = deps;
  const results: ItemResult[] = new Array(items.length);
  const drafts: Array<{ index: number; draft: Draft }> = [];
  items.forEach((raw, index) => {
    // Credentials inside an item are ignored: the batch's own authenticate it.
    const input = readV1Message(raw, deps, now);
    if (!input.ok) {
      results[index] = refusal(index, input.error);
      return;
    }
    const draft = pipeline.check(ids[index] ?? newMessageId(now), account, input.value);
    if (draft.ok) drafts.push({ index, draft: draft.value });
    else results[index] = refusal(index, draft.error);
  });

  if (res.headersSent) return errorAnswer(NOT_ACCEPTED);
  const charges = await Promise.all(drafts.map(({ draft }) => pipeline.charge(draft)));
  const charged: Array<{ index: number; draft: Draft; charged: Charge }> = [];
  const spentIds: string[] = [];
  charges.forEach((outcome, i) => {
    const { index, draft } = drafts[i] as { index: number; draft: Draft };
    if (outcome.ok) charged.push({ index, draft, charged: outcome.value });
    else results[index] = refusal(index, outcome.error);
    if (!outcome.ok && outcome.error.idSpent) spentIds.push(draft.messageId);
  });
  // A retry's item whose first charge was refunded: sent again under a new id (answerOnce).
  const spent = spentIds.length > 0 ? { spentIds } : {};

  // Past the deadline nothing is published (pricing's sweep refunds the charges).
  if (res.headersSent) return errorAnswer(NOT_ACCEPTED);
  // The deadline, while the publish is in flight: every charged item's outcome is unknown.
  const unknownAll = () => {
    for (const { index, draft } of charged) results[index] = unknownItem(index, draft.messageId);
    return batchAnswer(results);
  };
  const stored = await whilePublishing(
    res,
    () => writeAnswer(res, unknownAll()),
    () => pipeline.acceptAll(charged),
  );
  const publishedAt = deps.now();
  charged.forEach(({ index, draft, charged: charge }, i) => {
    results[index] =
      stored[i] === "stored"
        ? {
            index,
            status: "queued",
            messageId: draft.messageId,
            resource: acceptedResource(draft, charge, publishedAt),
          }
        : stored[i] === "not_stored"
          ? refusal(index, apiError("server_error", "the message was not accepted; retry it"))
          : unknownItem(index, draft.messageId);
  });
  return { ...batchAnswer(results), ...spent };
}

function batchAnswer(results: ItemResult[]): Answer {
  const accepted = results.filter((r) => r.status === "queued").length;
  return {
    httpStatus: 200,
    body: JSON.stringify({ accepted, refused: results.length - accepted, results }),
    retryable: results.some((r) => isRetryableStatus(r.status)),
  };
}
