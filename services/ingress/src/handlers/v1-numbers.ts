import type { ApiKeyScope, InboundApiRequest, InboundApiResponse } from "@smsgw/contracts";
import { apiError, type Checked, passed } from "@smsgw/message-acceptance";
import type { Logger } from "@smsgw/service-kit";
import type { Request, RequestHandler, Response } from "express";
import { auditBy } from "../domain/access.ts";
import {
  numberInPath,
  readInboundPage,
  readInboundUrl,
  readOptOutNumber,
  readSenderRequest,
  readTakeNumber,
} from "../domain/number-requests.ts";
import {
  type Answer,
  answerOnce,
  errorAnswer,
  type IdempotentDeps,
  readIdempotencyKey,
} from "./idempotent.ts";
import { sendError, sendJson } from "./reply.ts";
import { authenticatePrincipalV1, clientIpOf, type V1AuthDeps } from "./v1-auth.ts";

/** Omit over each member of a union (plain Omit would merge the members). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A request as a handler reads it; the account is added from the credentials. */
type Forwarded = DistributiveOmit<InboundApiRequest, "accountId" | "by">;

export interface NumbersDeps extends V1AuthDeps, IdempotentDeps {
  /** NATS request/reply to the inbound service; throws when it does not answer. */
  askInbound(request: InboundApiRequest): Promise<InboundApiResponse>;
  allowPrivateCallbacks: boolean;
  log: Logger;
}

const INBOUND_DOWN = apiError("server_error", "the numbers service did not answer; retry");
const NO_SUCH_NUMBER = apiError("not_found", "no such number on this account");
const NO_SUCH_INBOUND = apiError("not_found", "no such inbound message");
const NOT_OPTED_OUT = apiError("not_found", "the number is not on the list");

/**
 * `/v1/numbers`, `/v1/inbound`, `/v1/opt-outs` and `/v1/senders` (api.md section 5): ingress authenticates,
 * rate-limits and validates (inboundUrl through the callback guard), then asks the inbound
 * service, which owns numbers, inbound messages and opt-outs, and relays its answer as it is.
 */
export function numbersHandlers(deps: NumbersDeps) {
  /**
   * Authenticates (an API key needs `scope`: `manage` for numbers and opt-outs, `read` for
   * inbound messages, api.md section 8), reads the request (or answers why not) and relays
   * the service's answer.
   */
  const forward =
    (
      scope: ApiKeyScope,
      read: (req: Request, test: boolean) => Checked<Forwarded>,
      options: { idempotent?: boolean } = {},
    ): RequestHandler =>
    async (req, res) => {
      const started = Date.now();
      const principal = authenticatePrincipalV1(deps, req, res, scope);
      if (!principal) return;
      const { account } = principal;
      const key = options.idempotent ? readIdempotencyKey(req) : passed(undefined);
      if (!key.ok) return sendError(res, key.error);
      const request = read(req, account.test);
      if (!request.ok) return sendError(res, request.error);
      // Who asked goes with every request: the inbound service audits its changes.
      const by = auditBy(principal, clientIpOf(req));
      const ask = async (): Promise<InboundApiResponse | null> => {
        try {
          // The key goes along: the service answers a take it made under it (its first answer
          // lost on the way back here) rather than taking a second number.
          const requestKey = key.value === undefined ? {} : { requestKey: key.value };
          return await deps.askInbound({
            ...request.value,
            ...requestKey,
            accountId: account.accountId,
            by,
          });
        } catch (error) {
          deps.log.error({ err: error }, "inbound API request failed");
          return null;
        }
      };
      if (key.value === undefined) {
        const answer = await ask();
        return answer ? relay(res, answer) : sendError(res, INBOUND_DOWN);
      }
      // A retry of a take after a lost answer gets the number the first one took, not a second.
      await answerOnce(
        deps,
        res,
        {
          accountId: account.accountId,
          key: key.value,
          body: req.body,
          newIds: [],
          started,
        },
        async () => {
          const answer = await ask();
          return answer ? answerOf(answer) : errorAnswer(INBOUND_DOWN);
        },
      );
    };
  const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
  const numberOr404 = (req: Request): Checked<string> => {
    const number = numberInPath(req.params.number);
    return number === null ? { ok: false, error: NO_SUCH_NUMBER } : ok(number);
  };

  return {
    list: forward("manage", () => ok({ op: "numbers.list" })),
    take: forward(
      "manage",
      (req, test) => {
        const wish = readTakeNumber(req.body);
        return wish.ok ? ok({ op: "numbers.take", test, ...wish.value }) : wish;
      },
      { idempotent: true },
    ),
    update: forward("manage", (req) => {
      const number = numberOr404(req);
      if (!number.ok) return number;
      const inboundUrl = readInboundUrl(req.body, deps.allowPrivateCallbacks);
      return inboundUrl.ok
        ? ok({ op: "numbers.update", number: number.value, inboundUrl: inboundUrl.value })
        : inboundUrl;
    }),
    release: forward("manage", (req) => {
      const number = numberOr404(req);
      return number.ok ? ok({ op: "numbers.release", number: number.value }) : number;
    }),
    inbound: forward("read", (req) => {
      const page = readInboundPage(req.query);
      return page.ok ? ok({ op: "inbound.list", ...page.value }) : page;
    }),
    // A page of 1,000 unless asked: a client that knows no cursor gets its list as before.
    optOuts: forward("manage", (req) => {
      const page = readInboundPage(req.query, 1_000);
      return page.ok ? ok({ op: "optOuts.list", ...page.value }) : page;
    }),
    optOutAdd: forward("manage", (req) => {
      const number = readOptOutNumber(req.body);
      return number.ok ? ok({ op: "optOuts.add", number: number.value }) : number;
    }),
    optOutRemove: forward("manage", (req) => {
      const number = numberInPath(req.params.number);
      return number === null
        ? { ok: false, error: NOT_OPTED_OUT }
        : ok({ op: "optOuts.remove", number });
    }),
    senders: forward("manage", () => ok({ op: "senders.list" })),
    senderRequest: forward("manage", (req) => {
      const sender = readSenderRequest(req.body);
      return sender.ok ? ok({ op: "senders.request", sender: sender.value }) : sender;
    }),
    senderWithdraw: forward("manage", (req) =>
      ok({ op: "senders.withdraw", sender: String(req.params.sender ?? "").slice(0, 32) }),
    ),
    inboundOne: forward("read", (req) => {
      const id = String(req.params.id ?? "");
      return /^in_[0-9A-Z]{26}$/.test(id)
        ? ok({ op: "inbound.get", id })
        : { ok: false, error: NO_SUCH_INBOUND };
    }),
  };
}

/** Sends a service's HTTP answer as it is (no body for a 204). */
export function relay(res: Response, answer: InboundApiResponse): void {
  if (answer.httpStatus === 204) {
    if (!res.headersSent) res.status(204).set("cache-control", "no-store").end();
    return;
  }
  sendJson(res, answer.httpStatus, answer.body);
}

/**
 * A service's HTTP answer as it is sent (and kept under an Idempotency-Key): a 204 has no
 * body; a server error is retryable, never kept.
 */
function answerOf(answer: InboundApiResponse): Answer {
  return {
    httpStatus: answer.httpStatus,
    body: answer.httpStatus === 204 ? "" : JSON.stringify(answer.body),
    retryable: answer.httpStatus >= 500,
  };
}
