import type { ApiKeyScope, AuditBy, SubaccountRequest, SubaccountResponse } from "@smsgw/contracts";
import { apiError, type Checked, passed } from "@smsgw/message-acceptance";
import type { Logger } from "@smsgw/service-kit";
import type { Request, RequestHandler } from "express";
import { auditBy } from "../domain/access.ts";
import { readSubaccountName, readTransfer } from "../domain/subaccount-requests.ts";
import { type Answer, answerOnce, type IdempotentDeps, readIdempotencyKey } from "./idempotent.ts";
import { errorBody, sendError, sendJson } from "./reply.ts";
import { authenticatePrincipalV1, clientIpOf, type V1AuthDeps } from "./v1-auth.ts";
import { relay } from "./v1-numbers.ts";

export interface SubaccountsDeps extends V1AuthDeps, IdempotentDeps {
  /** NATS request/reply to pricing; throws when it does not answer. */
  askPricing(request: SubaccountRequest): Promise<SubaccountResponse>;
  log: Logger;
}

type PricingAnswer = Extract<SubaccountResponse, { outcome: "answer" }>;

const PRICING_DOWN = apiError("server_error", "the accounts service did not answer; retry");

/**
 * A transfer pricing did not answer may have been made (its answer lost, or its work past our
 * wait): a blind retry could move the credit twice. 503, not 500: the outcome is unknown.
 */
const TRANSFER_UNKNOWN = apiError(
  "server_error",
  "the accounts service did not answer: the transfer may have been made; retry with the same Idempotency-Key, or check the balances (GET /v1/subaccounts) before asking again",
);
/** Not kept under the key (retryable): the retry asks pricing again, which moves nothing twice. */
const TRANSFER_UNKNOWN_ANSWER: Answer = {
  httpStatus: 503,
  body: JSON.stringify(errorBody(TRANSFER_UNKNOWN)),
  retryable: true,
};

/**
 * `/v1/subaccounts` (issue 22, docs/api.md section 8): create (`manage`), list with usage
 * (`read`), move credit to or from one (`manage`, with an optional Idempotency-Key). Ingress
 * authenticates and reads the request; pricing, which owns accounts and money, decides and
 * answers.
 */
export function subaccountHandlers(deps: SubaccountsDeps) {
  /** Pricing's answer, or null when it did not answer or failed (logged). */
  const ask = async (request: SubaccountRequest): Promise<PricingAnswer | null> => {
    let answer: SubaccountResponse;
    try {
      answer = await deps.askPricing(request);
    } catch (error) {
      deps.log.error({ err: error }, "sub-account request failed");
      return null;
    }
    if (answer.outcome === "answer") return answer;
    deps.log.error({ reason: answer.reason }, "sub-account request failed");
    return null;
  };

  const forward =
    (
      scope: ApiKeyScope,
      read: (req: Request, parentId: string, by: AuditBy) => Checked<SubaccountRequest>,
    ): RequestHandler =>
    async (req, res) => {
      const principal = authenticatePrincipalV1(deps, req, res, scope);
      if (!principal) return;
      const request = read(req, principal.account.accountId, auditBy(principal, clientIpOf(req)));
      if (!request.ok) return sendError(res, request.error);
      const answer = await ask(request.value);
      if (answer) relay(res, answer);
      else sendError(res, PRICING_DOWN);
    };

  /**
   * A transfer, at most once per Idempotency-Key: the key claimed here answers a retry with
   * the first answer (another body under it: 422 idempotency_key_reused), and goes to pricing
   * as `requestKey`, which moves the credit once per key, so a retry after an unknown outcome
   * (the key released here) is answered the balances, not a second transfer.
   */
  const transfer: RequestHandler = async (req, res) => {
    const started = Date.now();
    const principal = authenticatePrincipalV1(deps, req, res, "manage");
    if (!principal) return;
    const { accountId } = principal.account;
    const key = readIdempotencyKey(req);
    if (!key.ok) return sendError(res, key.error);
    const fields = readTransfer(req.body);
    if (!fields.ok) return sendError(res, fields.error);
    const childId = String(req.params.id ?? "").slice(0, 64);
    const request: SubaccountRequest = {
      op: "transfer",
      parentId: accountId,
      childId,
      ...fields.value,
      by: auditBy(principal, clientIpOf(req)),
      ...(key.value === undefined ? {} : { requestKey: key.value }),
    };
    if (key.value === undefined) {
      const answer = await ask(request);
      return answer ? relay(res, answer) : sendJson(res, 503, errorBody(TRANSFER_UNKNOWN));
    }
    await answerOnce(
      deps,
      res,
      // The sub-account is in the path: a key used for one sub-account is another body for the next.
      {
        accountId,
        key: key.value,
        body: { ...req.body, subaccountId: childId },
        newIds: [],
        started,
      },
      async () => {
        const answer = await ask(request);
        return answer ? answerOf(answer) : TRANSFER_UNKNOWN_ANSWER;
      },
    );
  };

  return {
    create: forward("manage", (req, parentId, by) => {
      const name = readSubaccountName(req.body);
      return name.ok ? passed({ op: "create", parentId, name: name.value, by }) : name;
    }),
    list: forward("read", (_req, parentId) => passed({ op: "list", parentId })),
    transfer,
  };
}

/** Pricing's HTTP answer as it is sent and kept under the key (pricing answers no 5xx). */
function answerOf(answer: PricingAnswer): Answer {
  return {
    httpStatus: answer.httpStatus,
    body: JSON.stringify(answer.body),
    retryable: answer.httpStatus >= 500,
  };
}
