import { type RoutingRules, SenderRule } from "@smsgw/contracts";
import { PREFIX_PATTERN, type RouteTable } from "./route-table.ts";

/** A sender rule as the operator writes it: the contracts' shape with our prefix rule. */
export const SenderRuleInput = SenderRule.extend({
  prefix: SenderRule.shape.prefix.regex(
    PREFIX_PATTERN,
    "prefix: + and 1 to 15 digits, not starting with 0",
  ),
});

/** What ingress needs at the door: the routable prefixes and the sender rules, sorted. */
export function routingRulesOf(
  table: RouteTable,
  senderRules: readonly SenderRule[],
  now: Date,
): RoutingRules {
  return {
    routablePrefixes: table.routes.map((route) => route.prefix).sort(),
    senderRules: [...senderRules].sort((a, b) => a.prefix.localeCompare(b.prefix)),
    updatedAt: now.toISOString(),
  };
}

/** Same rules, ignoring when they were computed (to skip republishing what is there). */
export function sameRules(a: RoutingRules, b: RoutingRules): boolean {
  const strip = ({ updatedAt: _, ...rest }: RoutingRules) => JSON.stringify(rest);
  return strip(a) === strip(b);
}
