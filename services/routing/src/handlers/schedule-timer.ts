import { ACK, type Outcome } from "@smsgw/service-kit";
import type { ScheduleStore } from "../db/schedule-store.ts";
import type { FailDecision, RoutingView } from "../domain/decide.ts";
import { failedEvent } from "../domain/events.ts";
import { type RouteDeps, routeDue } from "./route-accepted.ts";

export interface ScheduleTimerDeps extends RouteDeps {
  view(): RoutingView;
  store: Pick<ScheduleStore, "claimDue" | "markRouted">;
  now(): Date;
  /** How long a replica has a taken row to itself. */
  leaseMs: number;
  /** Rows taken at a time. */
  batch: number;
}

const CANCELED: FailDecision = {
  kind: "fail",
  reason: "canceled",
  errorCode: null,
  detail: "canceled by the account before its sendAt",
};

/**
 * One pass of the schedule's timer: takes the due messages (no other replica takes them:
 * `claimDue`), routes them exactly as the doors' copies due now, and marks them routed once
 * their orders (and failures) are stored. A row taken again after a lease ran out (its taker
 * died) is a redelivery: its order id is the same (`<id>:submit:1`, dropped by JetStream's
 * de-duplication, or by the connector's claim past its window), and a "fail" passes the
 * failure gate. A failure the gate holds back stays unmarked and is taken again when its
 * lease ends. A row the account canceled is not routed: its failure (`canceled`) is published.
 * Resolves with the number of rows taken.
 */
export async function routeScheduled(deps: ScheduleTimerDeps): Promise<number> {
  const now = deps.now();
  const claimed = await deps.store.claimDue(now, deps.leaseMs, deps.batch);
  if (claimed.length === 0) return 0;
  const outcomes: Outcome[] = claimed.map(() => ACK);
  const due = claimed
    .map((row, index) => ({ event: row.event, index, deliveryCount: row.claims }))
    .filter((_, index) => !claimed[index]?.canceled);
  // Canceled before any replica took them (ADR 0030): never routed, so no gate to pass; a
  // taker that dies before marking them leaves the same event (same id) to publish again.
  const canceled = claimed
    .filter((row) => row.canceled)
    .map((row) => failedEvent(row.event, CANCELED, now));
  await Promise.all([
    routeDue(deps, deps.view(), due, outcomes, now),
    deps.publisher.publishAll(canceled),
  ]);
  const routed = claimed
    .filter((_, index) => outcomes[index]?.kind === "ack")
    .map((row) => row.event.messageId);
  await deps.store.markRouted(routed, deps.now());
  return claimed.length;
}
