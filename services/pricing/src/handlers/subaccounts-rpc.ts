import { SubaccountRequest, type SubaccountResponse } from "@smsgw/contracts";
import type { AccountOperations } from "../accounts.ts";
import type { SubaccountOutcome } from "../subaccounts.ts";
import { type QueryOptions, respond } from "./queries.ts";

const HTTP_OF = {
  invalid_params: 400,
  forbidden: 403,
  not_found: 404,
  low_balance: 422,
  idempotency_key_reused: 422,
} as const;

/** An outcome as the HTTP answer ingress relays (api.md section 8, sub-accounts). */
function answerOf<T>(outcome: SubaccountOutcome<T>, status: number, body: (value: T) => unknown) {
  return outcome.ok
    ? { outcome: "answer" as const, httpStatus: status, body: body(outcome.value) }
    : {
        outcome: "answer" as const,
        httpStatus: HTTP_OF[outcome.status],
        body: { status: outcome.status, message: outcome.message },
      };
}

/**
 * `/v1/subaccounts` (issue 22), asked by ingress for an account it authenticated: create a
 * sub-account (its credentials shown this once), list them with their usage, move credit to
 * or from one (once per request key: a retry after a lost answer gets the balances, nothing
 * moves again). Each change has its audit entries (subaccounts.ts).
 */
export function startSubaccountResponder(
  options: QueryOptions & { accounts: Pick<AccountOperations, "subaccounts"> },
): { stop(): Promise<void> } {
  const { subaccounts } = options.accounts;
  async function answer(request: SubaccountRequest): Promise<SubaccountResponse> {
    switch (request.op) {
      case "create":
        return answerOf(
          await subaccounts.create(request.parentId, request.name, request.by),
          201,
          (c) => ({
            id: c.accountId,
            name: c.name,
            hash: c.hash,
            token: c.token,
            webhookSecret: c.webhookSecret,
          }),
        );
      case "list":
        return answerOf(await subaccounts.list(request.parentId), 200, (list) => ({
          subaccounts: list,
        }));
      case "transfer":
        return answerOf(
          await subaccounts.transfer(
            request.parentId,
            request.childId,
            request.amount,
            request.note,
            request.by,
            request.requestKey,
          ),
          200,
          (balances) => balances,
        );
    }
  }
  const subscription = respond(options, options.subjects.subaccounts, SubaccountRequest, answer);
  return {
    async stop() {
      await subscription.drain();
    },
  };
}
