import type { EventOf, MessageEvent } from "@smsgw/contracts";
import type { Delivery, EventPublisher, Logger } from "@smsgw/service-kit";
import { decideAfterSubmitFailure, type RouteChoice, type RoutingView } from "../domain/decide.ts";
import { failedEvent, routedEvent } from "../domain/events.ts";
import type { StateStore } from "../kv/state-store.ts";
import { recordDecisions } from "../metrics.ts";

export interface SubmitFailedDeps {
  view(): RoutingView;
  states: StateStore;
  publisher: EventPublisher;
  log: Logger;
  now(): Date;
}

/**
 * A carrier refused a submit: fail over to the next best carrier not tried yet, or fail
 * the message. The next attempt's event id is `<messageId>:routed:<attempt+1>`, and the
 * stored state remembers which carrier that attempt went to, so a redelivered failure
 * republishes the same event (dropped as a duplicate) instead of routing it twice.
 */
export function handleSubmitFailed(deps: SubmitFailedDeps) {
  return async (batch: Delivery<EventOf<"SubmitFailed">>[]): Promise<undefined> => {
    const now = deps.now();
    const view = deps.view();
    const retryable = batch.filter((d) => d.value.data.retryable).map((d) => d.value.messageId);
    const known = await deps.states.getAll(retryable);
    const events: MessageEvent[] = [];
    const states: Array<{ messageId: string; state: RouteChoice["state"] }> = [];
    const decided: Array<{ carrierId: string | null; outcome: string }> = [];
    for (const { value: failure } of batch) {
      const decision = decideAfterSubmitFailure(view, failure.data, known.get(failure.messageId));
      if (decision.kind === "route") {
        states.push({ messageId: failure.messageId, state: decision.state });
        events.push(routedEvent(failure, decision, now));
        decided.push({ carrierId: decision.carrierId, outcome: "failover" });
        deps.log.debug(
          { messageId: failure.messageId, carrierId: decision.carrierId },
          "failed over",
        );
      } else {
        deps.log.debug({ messageId: failure.messageId, detail: decision.detail }, "submit failed");
        events.push(failedEvent(failure, decision, now));
        decided.push({ carrierId: null, outcome: decision.reason });
      }
    }
    await deps.states.putAll(states);
    await deps.publisher.publishAll(events);
    recordDecisions(decided);
    return undefined;
  };
}
