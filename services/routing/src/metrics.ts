import { defineCounter, defineGauge } from "@smsgw/service-kit";

// Routing's series (deploy/README.md): one per decision, by the carrier it chose ("none"
// when it failed the message) and how: routed (first choice), failover, or the failure reason.
export const routingDecisions = defineCounter({
  name: "smsgw_routing_decisions_total",
  help: "Routing decisions by chosen carrier and outcome (routed, failover, no_route, no_carrier_left, …).",
  labelNames: ["carrier", "outcome"] as const,
});

export function recordDecisions(
  decisions: ReadonlyArray<{ carrierId: string | null; outcome: string }>,
): void {
  for (const { carrierId, outcome } of decisions) {
    routingDecisions.inc({ carrier: carrierId ?? "none", outcome });
  }
}

// The schedule's table (routing.scheduled): messages waiting for their sendAt, and how late
// the oldest due one is (it grows when the timer cannot keep up or routing is down).
export const scheduledWaiting = defineGauge({
  name: "smsgw_routing_scheduled_messages",
  help: "Scheduled messages waiting in routing's table for their sendAt.",
});

export const scheduledOverdue = defineGauge({
  name: "smsgw_routing_scheduled_oldest_overdue_seconds",
  help: "Seconds the oldest due scheduled message not yet routed is past its sendAt (0: none).",
});
