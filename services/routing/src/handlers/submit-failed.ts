import type { EventOf, MessageEvent, SubmitOrder } from "@smsgw/contracts";
import type { Delivery, EventPublisher, Logger } from "@smsgw/service-kit";
import { decideAfterSubmitFailure, type RoutingView } from "../domain/decide.ts";
import { failedEvent, submitOrder } from "../domain/events.ts";
import { recordDecisions } from "../metrics.ts";
import type { SubmitPublisher } from "../nats/submit-publisher.ts";

export interface SubmitFailedDeps {
  view(): RoutingView;
  orders: SubmitPublisher;
  publisher: EventPublisher;
  log: Logger;
  now(): Date;
}

/**
 * A carrier refused a submit: fail over to the next best carrier not tried yet, or fail
 * the message. The failure carries what failover needs (content, carriers tried, score key),
 * so nothing is read back; the next order's id is `<messageId>:submit:<attempt+1>`, so a
 * redelivered failure hands that attempt over once.
 */
export function handleSubmitFailed(deps: SubmitFailedDeps) {
  return async (batch: Delivery<EventOf<"SubmitFailed">>[]): Promise<undefined> => {
    const now = deps.now();
    const view = deps.view();
    const orders: SubmitOrder[] = [];
    const failures: MessageEvent[] = [];
    const decided: Array<{ carrierId: string | null; outcome: string }> = [];
    for (const { value: failure } of batch) {
      const decision = decideAfterSubmitFailure(view, failure.data);
      if (decision.kind === "route") {
        orders.push(submitOrder(failure, decision, now));
        decided.push({ carrierId: decision.carrierId, outcome: "failover" });
        deps.log.debug(
          { messageId: failure.messageId, carrierId: decision.carrierId },
          "failed over",
        );
      } else {
        // Not the detail: it may name the destination number (the event keeps it for operators).
        deps.log.debug(
          { messageId: failure.messageId, reason: decision.reason, errorCode: decision.errorCode },
          "submit failed",
        );
        failures.push(failedEvent(failure, decision, now));
        decided.push({ carrierId: null, outcome: decision.reason });
      }
    }
    await Promise.all([deps.orders.publishAll(orders), deps.publisher.publishAll(failures)]);
    recordDecisions(decided);
    return undefined;
  };
}
