import { type EventOf, messageContentOf, type SubmitOrder } from "@smsgw/contracts";
import type { EventPublisher, Logger, Outcome } from "@smsgw/service-kit";
import { decideRoute, type RoutingView } from "../domain/decide.ts";
import { failedEvent, submitOrder } from "../domain/events.ts";
import { recordDecisions } from "../metrics.ts";
import type { SubmitPublisher } from "../nats/submit-publisher.ts";
import { type FailureGate, type PendingFailure, passFailures } from "./failure-gate.ts";

export interface RouteDeps {
  orders: SubmitPublisher;
  publisher: EventPublisher;
  gate: FailureGate;
  log: Logger;
}

/** An accepted message due now, and the outcome slot its delivery (or claimed row) answers to. */
export interface DueMessage {
  event: EventOf<"MessageAccepted">;
  index: number;
  /** 1 on the first delivery (a scheduled message: the times its row was taken). */
  deliveryCount: number;
}

/**
 * Attempt 1 for due messages, the same for the doors' copies and the schedule's rows:
 * decided, then the orders and the failures that pass the gate published together; resolves
 * when JetStream stored them. A failure held back to wait sets its slot to a nak.
 */
export async function routeDue(
  deps: RouteDeps,
  view: RoutingView,
  due: readonly DueMessage[],
  outcomes: Outcome[],
  now: Date,
): Promise<void> {
  const orders: SubmitOrder[] = [];
  const failing: PendingFailure[] = [];
  const decided: Array<{ carrierId: string | null; outcome: string }> = [];
  for (const { event: accepted, index, deliveryCount } of due) {
    const { country, test } = accepted.data;
    // With `concat` when the parts were billed for a 16-bit UDH: the carrier splits the same.
    const content = messageContentOf(accepted.data);
    const decision = decideRoute(view, { ...content, country, test });
    if (decision.kind === "route") {
      orders.push(submitOrder(accepted, decision, now));
      decided.push({ carrierId: decision.carrierId, outcome: "routed" });
    } else {
      // The reason, not the detail: the detail names the destination number (it stays in
      // the MessageFailed event, for operators), and no number may reach a log.
      deps.log.debug({ messageId: accepted.messageId, reason: decision.reason }, "not routed");
      failing.push({
        index,
        deliveryCount,
        attempt: 0,
        event: failedEvent(accepted, decision, now),
      });
      decided.push({ carrierId: null, outcome: decision.reason });
    }
  }
  const failures = await passFailures(deps.gate, failing, outcomes, deps.log);
  await Promise.all([deps.orders.publishAll(orders), deps.publisher.publishAll(failures)]);
  recordDecisions(decided);
}
