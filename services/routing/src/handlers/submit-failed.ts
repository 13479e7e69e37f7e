import type { EventOf, MessageEvent, SubmitOrder } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  type EventPublisher,
  type Logger,
  type Outcome,
} from "@smsgw/service-kit";
import { decideAfterSubmitFailure, type RoutingView } from "../domain/decide.ts";
import { failedEvent, submitOrder } from "../domain/events.ts";
import { recordDecisions } from "../metrics.ts";
import type { SubmitPublisher } from "../nats/submit-publisher.ts";
import { type FailureGate, passFailures } from "./failure-gate.ts";

export interface SubmitFailedDeps {
  view(): RoutingView;
  orders: SubmitPublisher;
  publisher: EventPublisher;
  /** Holds back a redelivery's failure that would contradict an order already given. */
  gate: FailureGate;
  log: Logger;
  now(): Date;
}

/**
 * A carrier refused a submit: fail over to the next best carrier not tried yet, or fail
 * the message. The failure carries what failover needs (content, carriers tried, score key),
 * so nothing is read back; the next order's id is `<messageId>:submit:<attempt+1>`, so a
 * redelivered failure hands that attempt over once. A redelivered refusal that now decides
 * "fail" (the table changed) passes the gate first: no failure after attempt N+1 was ordered.
 */
export function handleSubmitFailed(deps: SubmitFailedDeps) {
  return async (batch: Delivery<EventOf<"SubmitFailed">>[]): Promise<Outcome[]> => {
    const now = deps.now();
    const view = deps.view();
    const orders: SubmitOrder[] = [];
    const failing: Array<{
      index: number;
      deliveryCount: number;
      attempt: number;
      event: MessageEvent;
    }> = [];
    const decided: Array<{ carrierId: string | null; outcome: string }> = [];
    const outcomes: Outcome[] = batch.map(() => ACK);
    batch.forEach(({ value: failure, deliveryCount }, index) => {
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
        failing.push({
          index,
          deliveryCount,
          attempt: failure.data.attempt,
          event: failedEvent(failure, decision, now),
        });
        decided.push({ carrierId: null, outcome: decision.reason });
      }
    });
    const failures = await passFailures(deps.gate, failing, outcomes, deps.log);
    await Promise.all([deps.orders.publishAll(orders), deps.publisher.publishAll(failures)]);
    recordDecisions(decided);
    return outcomes;
  };
}
