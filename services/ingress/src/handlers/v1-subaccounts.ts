import type { ApiKeyScope, AuditBy, SubaccountRequest, SubaccountResponse } from "@smsgw/contracts";
import { apiError, type Checked } from "@smsgw/message-acceptance";
import type { Logger } from "@smsgw/service-kit";
import type { Request, RequestHandler } from "express";
import { auditBy } from "../domain/access.ts";
import { readSubaccountName, readTransfer } from "../domain/subaccount-requests.ts";
import { sendError } from "./reply.ts";
import { authenticatePrincipalV1, clientIpOf, type V1AuthDeps } from "./v1-auth.ts";
import { relay } from "./v1-numbers.ts";

export interface SubaccountsDeps extends V1AuthDeps {
  /** NATS request/reply to pricing; throws when it does not answer. */
  askPricing(request: SubaccountRequest): Promise<SubaccountResponse>;
  log: Logger;
}

const PRICING_DOWN = apiError("server_error", "the accounts service did not answer; retry");

/**
 * `/v1/subaccounts` (issue 22, docs/api.md section 8): create (`manage`), list with usage
 * (`read`), move credit to or from one (`manage`). Ingress authenticates and reads the
 * request; pricing, which owns accounts and money, decides and answers.
 */
export function subaccountHandlers(deps: SubaccountsDeps) {
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
      let answer: SubaccountResponse;
      try {
        answer = await deps.askPricing(request.value);
      } catch (error) {
        deps.log.error({ err: error }, "sub-account request failed");
        return sendError(res, PRICING_DOWN);
      }
      if (answer.outcome !== "answer") {
        deps.log.error({ reason: answer.reason }, "sub-account request failed");
        return sendError(res, PRICING_DOWN);
      }
      relay(res, answer);
    };

  return {
    create: forward("manage", (req, parentId, by) => {
      const name = readSubaccountName(req.body);
      return name.ok ? { ok: true, value: { op: "create", parentId, name: name.value, by } } : name;
    }),
    list: forward("read", (_req, parentId) => ({ ok: true, value: { op: "list", parentId } })),
    transfer: forward("manage", (req, parentId, by) => {
      const transfer = readTransfer(req.body);
      if (!transfer.ok) return transfer;
      const childId = String(req.params.id ?? "").slice(0, 64);
      return { ok: true, value: { op: "transfer", parentId, childId, ...transfer.value, by } };
    }),
  };
}
