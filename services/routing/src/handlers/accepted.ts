import type { EventOf, MessageEvent } from "@smsgw/contracts";
import type { Delivery, EventPublisher, Logger } from "@smsgw/service-kit";
import { decideRoute } from "../domain/decide.ts";
import { failedEvent, routedEvent } from "../domain/events.ts";
import type { RouteTable } from "../domain/route-table.ts";

export interface AcceptedDeps {
  table: RouteTable;
  publisher: EventPublisher;
  log: Logger;
  now(): Date;
}

/**
 * Routes a batch of accepted messages: one decision each, published together, then
 * acked. A redelivered event yields the same event id, which JetStream drops.
 */
export function handleAccepted(deps: AcceptedDeps) {
  return async (batch: Delivery<EventOf<"MessageAccepted">>[]): Promise<undefined> => {
    const now = deps.now();
    const events: MessageEvent[] = batch.map(({ value: accepted }) => {
      const decision = decideRoute(deps.table, accepted.data.to);
      if (decision.kind === "route") return routedEvent(accepted, decision, now);
      deps.log.debug({ messageId: accepted.messageId, detail: decision.detail }, "no route");
      return failedEvent(accepted, decision, now);
    });
    await deps.publisher.publishAll(events);
    return undefined;
  };
}
