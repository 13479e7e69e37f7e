import {
  acceptanceVoid,
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
import { recordDecisions } from "../metrics.ts";
import type { SubmitPublisher } from "../nats/submit-publisher.ts";

export interface AcceptedDeps {
  view(): RoutingView;
  orders: SubmitPublisher;
  publisher: EventPublisher;
  log: Logger;
  now(): Date;
  /** Longest nak delay for a scheduled message; a later one is held again when it returns. */
  holdCapMs: number;
}

/**
 * Routes a batch of accepted messages, alone or in `EventBatch` envelopes. A message
 * scheduled for later (`sendAt`) is held with a delayed nak; ingress publishes those alone,
 * and one found in an envelope anyway goes back to the stream alone, so that it never holds
 * its neighbours. The others are decided, then their submit orders (and failures) published
 * together and acked. A redelivered event yields the same order id, which JetStream drops.
 *
 * A copy stored after its `publishBy` is void (ADR 0022): pricing refunds its charge as never
 * accepted, so it is acked and never routed.
 */
export function handleAccepted(deps: AcceptedDeps) {
  return async (batch: Delivery<EventOf<"MessageAccepted"> | EventBatch>[]): Promise<Outcome[]> => {
    const now = deps.now();
    const view = deps.view();
    const { events, invalid } = unbatch(batch, MessageAccepted);
    if (invalid > 0) deps.log.error({ invalid }, "accepted events in an envelope dropped: invalid");
    const outcomes: Outcome[] = [];
    const orders: SubmitOrder[] = [];
    const failures: MessageEvent[] = [];
    const heldApart: MessageEvent[] = [];
    const decided: Array<{ carrierId: string | null; outcome: string }> = [];
    let voided = 0;
    for (const { value: accepted, delivery } of events) {
      if (acceptanceVoid(accepted.data, batch[delivery]?.storedAtMs ?? Number.NaN)) {
        voided++;
        outcomes.push(ACK);
        continue;
      }
      const dueIn = accepted.data.sendAt ? Date.parse(accepted.data.sendAt) - now.getTime() : 0;
      // The copy republished alone would be stored after its publishBy, hence void: this one
      // stands, so it is routed now rather than lost (no door puts a scheduled message in an
      // envelope; this is the defensive path).
      const heldCopyVoid = heldApartTooLate(accepted, now);
      if (dueIn > 0 && batch[delivery]?.value.type === "EventBatch" && !heldCopyVoid) {
        heldApart.push(accepted);
        outcomes.push(ACK);
        continue;
      }
      if (dueIn > 0 && batch[delivery]?.value.type !== "EventBatch") {
        outcomes.push(nak(Math.min(dueIn, deps.holdCapMs)));
        continue;
      }
      outcomes.push(ACK);
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
    await Promise.all([
      deps.orders.publishAll(orders),
      deps.publisher.publishAll(failures),
      deps.publisher.publishAll(heldApart),
    ]);
    recordDecisions(decided);
    return outcomesOfDeliveries(batch.length, events, outcomes);
  };
}

/** A republished copy needs this much time to be stored before its publishBy. */
const REPUBLISH_MARGIN_MS = 5_000;

function heldApartTooLate(accepted: EventOf<"MessageAccepted">, now: Date): boolean {
  const { publishBy } = accepted.data;
  return publishBy !== undefined && now.getTime() + REPUBLISH_MARGIN_MS > Date.parse(publishBy);
}
