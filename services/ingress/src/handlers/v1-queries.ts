import {
  type BalanceResponse,
  isMessageId,
  type PriceResponse,
  publicEventOf,
  type RoutingRules,
  toDecimal,
} from "@smsgw/contracts";
import { apiError, checkDoor, checkPhone } from "@smsgw/message-acceptance";
import { InvalidCursorError } from "@smsgw/message-read-model";
import { formatPhone } from "@smsgw/phone-format";
import type { Logger } from "@smsgw/service-kit";
import type { RequestHandler } from "express";
import { describeIssue, EventsQuery } from "../domain/api-schemas.ts";
import { type MessageReader, NOT_FOUND } from "./message-status.ts";
import { sendError, sendJson } from "./reply.ts";
import { authenticateV1, type V1AuthDeps } from "./v1-auth.ts";

export interface QueryDeps extends V1AuthDeps {
  reader: MessageReader;
  /** NATS request/reply to pricing; throws when it does not answer. */
  askPricing: {
    balance(accountId: string): Promise<BalanceResponse>;
    price(accountId: string, to: string): Promise<PriceResponse>;
  };
  routingRules(): RoutingRules | null;
  log: Logger;
}

const PRICING_DOWN = apiError("server_error", "pricing did not answer; retry");

/**
 * `GET /v1/messages/:id/events`: the owner's audit trail, oldest first, with a cursor, in its
 * public view (api.md section 7): the stored record is for operators.
 */
export function eventsHandler(deps: QueryDeps): RequestHandler<{ id: string }> {
  return async (req, res) => {
    const account = authenticateV1(deps, req, res, "read");
    if (!account) return;
    const query = EventsQuery.safeParse(req.query);
    if (!query.success)
      return sendError(res, apiError("invalid_params", describeIssue(query.error)));
    if (!isMessageId(req.params.id)) return sendError(res, NOT_FOUND);
    try {
      const page = await deps.reader.listEvents(req.params.id, account.accountId, {
        after: query.data.after,
        limit: query.data.limit,
      });
      if (!page) return sendError(res, NOT_FOUND);
      sendJson(res, 200, { ...page, events: page.events.map(publicEventOf) });
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        return sendError(
          res,
          apiError("invalid_params", "after is not a cursor this API handed out"),
        );
      }
      throw error;
    }
  };
}

/** `GET /v1/balance`: pricing's answer over NATS. */
export function balanceHandler(deps: QueryDeps): RequestHandler {
  return async (req, res) => {
    const account = authenticateV1(deps, req, res, "read");
    if (!account) return;
    let answer: BalanceResponse;
    try {
      answer = await deps.askPricing.balance(account.accountId);
    } catch (error) {
      deps.log.error({ err: error }, "balance request failed");
      return sendError(res, PRICING_DOWN);
    }
    if (answer.outcome !== "balance") return sendError(res, PRICING_DOWN);
    sendJson(res, 200, { balance: toDecimal(answer.balance), currency: answer.currency });
  };
}

/** `GET /v1/prices?to=`: the price of one part, or why the destination is blocked. */
export function pricesHandler(deps: QueryDeps): RequestHandler {
  return async (req, res) => {
    const to = req.query.to;
    if (typeof to !== "string" || to === "") {
      return sendError(res, apiError("invalid_params", "to is missing (E.164, + written as %2B)"));
    }
    const account = authenticateV1(deps, req, res, "read");
    if (!account) return;
    const destination = checkPhone(to, "to");
    if (!destination.ok) return sendError(res, destination.error);
    // The same door as a send, with a sender no rule refuses: the destination alone is judged.
    const door = checkDoor({
      account,
      rules: deps.routingRules(),
      destination: destination.value,
      sender: "0",
    });
    if (!door.ok && door.error.status === "destination_blocked") return sendError(res, door.error);
    let answer: PriceResponse;
    try {
      answer = await deps.askPricing.price(account.accountId, destination.value.e164);
    } catch (error) {
      deps.log.error({ err: error }, "price request failed");
      return sendError(res, PRICING_DOWN);
    }
    if (answer.outcome === "destination_blocked") {
      return sendError(res, apiError("destination_blocked", answer.reason));
    }
    if (answer.outcome !== "price") return sendError(res, PRICING_DOWN);
    sendJson(res, 200, {
      to: answer.to,
      country: answer.country,
      pricePerPart: toDecimal(answer.pricePerPart),
      currency: answer.currency,
    });
  };
}

/** `GET /v1/phone/format?number=&country=`: E.164, validity, country and type. */
export function phoneFormatHandler(deps: QueryDeps): RequestHandler {
  return (req, res) => {
    const account = authenticateV1(deps, req, res, null);
    if (!account) return;
    const formatted = formatPhone(req.query.number, req.query.country);
    if (!formatted.ok) return sendError(res, formatted.error);
    sendJson(res, 200, formatted.value);
  };
}
