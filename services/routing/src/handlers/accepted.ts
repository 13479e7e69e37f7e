import {
  type EventBatch,
  type EventOf,
  MessageAccepted,
  type MessageEvent,
  messageContentOf,
  type SubmitOrder,
} from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  type EventPublisher,
  type Logger,
  nak,
  type Outcome,
  outcomesOfDeliveries,
  unbatch,
} from "@smsgw/service-kit";
import { decideRoute, type RoutingView } from "../domain/decide.ts";
import { failedEvent, submitOrder } from "../domain/events.ts";
import { type AcceptedCopy, acceptedStep } from "../domain/hold.ts";
import { recordDecisions } from "../metrics.ts";
import type { HeldPublisher } from "../nats/held-publisher.ts";
import type { SubmitPublisher } from "../nats/submit-publisher.ts";

export interface AcceptedDeps {
  view(): RoutingView;
  orders: SubmitPublisher;
  publisher: EventPublisher;
  held: HeldPublisher;
  log: Logger;
  now(): Date;
  /** Longest nak delay for a scheduled message; a later one is held again when it returns. */
  holdCapMs: number;
}

/**
 * Routes a batch of accepted messages: the doors' copies (`<p>.evt.accepted`, alone or in
 * `EventBatch` envelopes) or routing's own held copies (`<p>.routing.held`), each step
 * decided by `acceptedStep` (domain/hold.ts). A message scheduled for later (`sendAt`) is
 * held with a delayed nak; the doors publish those alone, and one found in an envelope anyway
 * is put alone on routing's held subject, so that it never holds its neighbours. The others
 * are decided, then their submit orders (and failures) published together and acked. A
 * redelivered event yields the same order id, which JetStream drops.
 *
 * A doors' copy stored after its `publishBy` is void (ADR 0022): pricing refunds its charge
 * as never accepted, so it is acked and never routed.
 */
export function handleAccepted(deps: AcceptedDeps, copy: AcceptedCopy = "doors") {
  return async (batch: Delivery<EventOf<"MessageAccepted"> | EventBatch>[]): Promise<Outcome[]> => {
    const now = deps.now();
    const view = deps.view();
    const { events, invalid } = unbatch(batch, MessageAccepted);
    if (invalid > 0) deps.log.error({ invalid }, "accepted events in an envelope dropped: invalid");
    const outcomes: Outcome[] = [];
    const orders: SubmitOrder[] = [];
    const failures: MessageEvent[] = [];
    const heldApart: EventOf<"MessageAccepted">[] = [];
    const decided: Array<{ carrierId: string | null; outcome: string }> = [];
    let voided = 0;
    for (const { value: accepted, delivery } of events) {
      const carrier = batch[delivery];
      const step = acceptedStep({
        copy,
        inEnvelope: carrier?.value.type === "EventBatch",
        data: accepted.data,
        storedAtMs: carrier?.storedAtMs ?? Number.NaN,
        nowMs: now.getTime(),
        holdCapMs: deps.holdCapMs,
      });
      if (step.kind === "hold") {
        outcomes.push(nak(step.delayMs));
        continue;
      }
      outcomes.push(ACK);
      if (step.kind === "void") {
        voided++;
        continue;
      }
      if (step.kind === "hold_apart") {
        heldApart.push(accepted);
        continue;
      }
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
        failures.push(failedEvent(accepted, decision, now));
        decided.push({ carrierId: null, outcome: decision.reason });
      }
    }
    if (voided > 0) deps.log.warn({ void: voided }, "accepted events stored too late: void");
    if (heldApart.length > 0) {
      deps.log.info({ held: heldApart.length }, "scheduled messages in an envelope held apart");
    }
    await Promise.all([
      deps.orders.publishAll(orders),
      deps.publisher.publishAll(failures),
      deps.held.holdAll(heldApart),
    ]);
    recordDecisions(decided);
    return outcomesOfDeliveries(batch.length, events, outcomes);
  };
}
