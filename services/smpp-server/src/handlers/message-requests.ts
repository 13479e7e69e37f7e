import { type CancelRequest, type CancelResponse, isMessageId } from "@smsgw/contracts";
import { cancelScheduled, type MessageView } from "@smsgw/message-read-model";
import type { Logger } from "@smsgw/service-kit";
import { type CancelSm, CommandStatus, type QuerySm } from "@smsgw/smpp";
import { type QueryAnswer, queryAnswerOf, sameSource } from "../domain/message-query.ts";
import { smppMessageRequests } from "../metrics.ts";
import type { Bound } from "./binds.ts";

export interface MessageRequestDeps {
  /** The event store's projection (`@smsgw/message-read-model`): the account's message, if any. */
  getMessage(messageId: string, accountId: string): Promise<MessageView | null>;
  /** NATS request/reply to routing, which holds scheduled messages (ADR 0030). */
  askRouting(request: CancelRequest): Promise<CancelResponse>;
  /** At most this many queries and cancels of one bind in flight (its window). */
  window: number;
  log: Logger;
  now(): number;
}

/**
 * query_sm and cancel_sm of one bound session (SMPP 3.4 4.8, 4.9), about the account's own
 * `msg_…` ids as submit_sm_resp gave them. A query answers the state the message's receipt
 * would carry (`queryAnswerOf`); a cancel takes back a message waiting for its
 * schedule_delivery_time, as `POST /v1/messages/{id}/cancel` does (ADR 0030). Another
 * account's id, an id not accepted (yet), or a source_addr that is not the message's sender
 * is answered as not found: ESME_RQUERYFAIL, ESME_RCANCELFAIL.
 */
export function messageRequestsOf(deps: MessageRequestDeps, bound: Bound) {
  const { session, accountId } = bound;
  let inFlight = 0;

  interface Answer {
    commandStatus: number;
    outcome: string;
    /** query_sm_resp's fields, when the query is answered. */
    state?: QueryAnswer;
  }

  function serve<P extends QuerySm | CancelSm>(pdu: P, answer: (pdu: P) => Promise<Answer>): void {
    // Both are answered alike: a cancel_sm_resp has no body, buildResponse gives it none.
    const asked = pdu as QuerySm;
    if (inFlight >= deps.window) {
      smppMessageRequests.inc({ command: pdu.command, outcome: "window_full" });
      answerWith(asked, { commandStatus: CommandStatus.ESME_RTHROTTLED });
      return;
    }
    inFlight += 1;
    void answer(pdu)
      .catch((error: unknown): Answer => {
        deps.log.error({ err: error, accountId }, `${pdu.command} failed`);
        return { commandStatus: CommandStatus.ESME_RSYSERR, outcome: "error" };
      })
      .then(({ commandStatus, outcome, state }) => {
        inFlight -= 1;
        smppMessageRequests.inc({ command: pdu.command, outcome });
        answerWith(asked, { commandStatus, ...state });
      });
  }

  /** Never throws: an answer that cannot be written is logged, the session goes on. */
  function answerWith(pdu: QuerySm, fields: Parameters<typeof session.respond<"query_sm">>[1]) {
    try {
      session.respond(pdu, fields);
    } catch (error) {
      deps.log.warn({ err: error, accountId }, `${pdu.command} answer not sent`);
    }
  }

  async function query(pdu: QuerySm): Promise<Answer> {
    const view = isMessageId(pdu.messageId)
      ? await deps.getMessage(pdu.messageId, accountId)
      : null;
    if (!view || !sameSource(pdu.sourceAddr, view.from)) {
      return { commandStatus: CommandStatus.ESME_RQUERYFAIL, outcome: "not_found" };
    }
    return {
      commandStatus: CommandStatus.ESME_ROK,
      outcome: "answered",
      state: queryAnswerOf(view),
    };
  }

  async function cancel(pdu: CancelSm): Promise<Answer> {
    if (pdu.messageId === "") {
      // Every message from source_addr to destination_addr: not served (ADR 0030).
      return { commandStatus: CommandStatus.ESME_RCANCELFAIL, outcome: "no_message_id" };
    }
    if (!isMessageId(pdu.messageId)) {
      return { commandStatus: CommandStatus.ESME_RCANCELFAIL, outcome: "not_found" };
    }
    const outcome = await cancelScheduled(deps, accountId, pdu.messageId, (view) =>
      sameSource(pdu.sourceAddr, view.from),
    );
    switch (outcome.kind) {
      case "canceled":
        return { commandStatus: CommandStatus.ESME_ROK, outcome: "canceled" };
      case "not_found":
      case "not_cancelable":
        return { commandStatus: CommandStatus.ESME_RCANCELFAIL, outcome: outcome.kind };
      case "not_held_yet":
        // Accepted a moment ago: ESME_RSYSERR is "try again" (reference.md).
        return { commandStatus: CommandStatus.ESME_RSYSERR, outcome: outcome.kind };
      case "unanswered":
        deps.log.error({ err: outcome.error, accountId }, "cancel_sm got no answer from routing");
        return { commandStatus: CommandStatus.ESME_RSYSERR, outcome: outcome.kind };
      default:
        return outcome satisfies never;
    }
  }

  return {
    query: (pdu: QuerySm) => serve(pdu, query),
    cancel: (pdu: CancelSm) => serve(pdu, cancel),
  };
}
