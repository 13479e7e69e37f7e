import { defineCounter } from "@smsgw/service-kit";

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
