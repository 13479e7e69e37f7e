import type { EventOf, MessageEvent } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  type EventPublisher,
  type Logger,
  nak,
  type Outcome,
} from "@smsgw/service-kit";
import { decideRoute, type RouteChoice, type RoutingView } from "../domain/decide.ts";
import { failedEvent, routedEvent } from "../domain/events.ts";
import type { StateStore } from "../kv/state-store.ts";
import { recordDecisions } from "../metrics.ts";

export interface AcceptedDeps {
  view(): RoutingView;
  states: StateStore;
  publisher: EventPublisher;
  log: Logger;
  now(): Date;
  /** Longest nak delay for a scheduled message; a later one is held again when it returns. */
  holdCapMs: number;
}

/**
 * Routes a batch of accepted messages. A message scheduled for later (`sendAt`) is held
 * with a delayed nak; the others are decided, their routing state stored (so failover
 * can reroute), then their events published together and acked. A redelivered event
 * yields the same event id, which JetStream drops.
 */
export function handleAccepted(deps: AcceptedDeps) {
  return async (batch: Delivery<EventOf<"MessageAccepted">>[]): Promise<Outcome[]> => {
    const now = deps.now();
    const view = deps.view();
    const outcomes: Outcome[] = [];
    const events: MessageEvent[] = [];
    const states: Array<{ messageId: string; state: RouteChoice["state"] }> = [];
    const decided: Array<{ carrierId: string | null; outcome: string }> = [];
    for (const { value: accepted } of batch) {
      const dueIn = accepted.data.sendAt ? Date.parse(accepted.data.sendAt) - now.getTime() : 0;
      if (dueIn > 0) {
        outcomes.push(nak(Math.min(dueIn, deps.holdCapMs)));
        continue;
      }
      outcomes.push(ACK);
      const { to, from, text, encoding, parts, validUntil, country, test } = accepted.data;
      const content = { to, from, text, encoding, parts, validUntil };
      const decision = decideRoute(view, { ...content, country, test });
      if (decision.kind === "route") {
        states.push({ messageId: accepted.messageId, state: decision.state });
        events.push(routedEvent(accepted, decision, now));
        decided.push({ carrierId: decision.carrierId, outcome: "routed" });
      } else {
        deps.log.debug({ messageId: accepted.messageId, detail: decision.detail }, "not routed");
        events.push(failedEvent(accepted, decision, now));
        decided.push({ carrierId: null, outcome: decision.reason });
      }
    }
    await deps.states.putAll(states);
    await deps.publisher.publishAll(events);
    recordDecisions(decided);
    return outcomes;
  };
}
