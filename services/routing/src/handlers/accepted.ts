import { type EventBatch, type EventOf, MessageAccepted } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  type Logger,
  type Outcome,
  outcomesOfDeliveries,
  unbatch,
} from "@smsgw/service-kit";
import type { ScheduleStore } from "../db/schedule-store.ts";
import type { RoutingView } from "../domain/decide.ts";
import { type AcceptedCopy, acceptedStep } from "../domain/schedule.ts";
import { type DueMessage, type RouteDeps, routeDue } from "./route-accepted.ts";

export interface AcceptedDeps extends RouteDeps {
  view(): RoutingView;
  schedule: Pick<ScheduleStore, "insert">;
  log: Logger;
  now(): Date;
}

/**
 * Routes a batch of accepted messages: the doors' copies (`<p>.evt.accepted`, alone or in
 * `EventBatch` envelopes), or copies an older routing held apart (`<p>.routing.held`), each
 * step decided by `acceptedStep` (domain/schedule.ts). A message scheduled for later
 * (`sendAt`) is stored in routing's table, then acked: the schedule's timer routes it when due
 * (handlers/schedule-timer.ts), and nothing waits on the consumer. The others are decided,
 * then their submit orders (and failures) published together and acked. A redelivered event
 * yields the same order id, which JetStream drops; a redelivery that now decides "fail" passes
 * the failure gate (no failure after an order was given).
 *
 * A doors' copy stored after its `publishBy` is void (ADR 0022): pricing refunds its charge
 * as never accepted, so it is acked and never routed.
 */
export function handleAccepted(deps: AcceptedDeps, copy: AcceptedCopy = "doors") {
  return async (batch: Delivery<EventOf<"MessageAccepted"> | EventBatch>[]): Promise<Outcome[]> => {
    const now = deps.now();
    const { events, invalid } = unbatch(batch, MessageAccepted);
    if (invalid > 0) deps.log.error({ invalid }, "accepted events in an envelope dropped: invalid");
    const outcomes: Outcome[] = events.map(() => ACK);
    const due: DueMessage[] = [];
    const scheduled: EventOf<"MessageAccepted">[] = [];
    let voided = 0;
    events.forEach(({ value: accepted, delivery }, index) => {
      const carrier = batch[delivery];
      const deliveryCount = carrier?.deliveryCount ?? 1;
      const step = acceptedStep({
        copy,
        data: accepted.data,
        storedAtMs: carrier?.storedAtMs ?? Number.NaN,
      });
      if (step.kind === "void") voided++;
      else if (step.kind === "schedule") scheduled.push(accepted);
      else due.push({ event: accepted, index, deliveryCount });
    });
    if (voided > 0) deps.log.warn({ void: voided }, "accepted events stored too late: void");
    // Stored before the ack: a scheduled message lives in the table from here on.
    if (scheduled.length > 0) await deps.schedule.insert(scheduled, now);
    if (due.length > 0) await routeDue(deps, deps.view(), due, outcomes, now);
    return outcomesOfDeliveries(batch.length, events, outcomes);
  };
}
