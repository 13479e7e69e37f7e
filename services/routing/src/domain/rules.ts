import type { CarrierHealth } from "@smsgw/contracts";
import { type RoutingRules, SenderRule } from "@smsgw/contracts";
import { PREFIX_PATTERN, type RouteTable } from "./route-table.ts";

/** A sender rule as the operator writes it: the contracts' shape with our prefix rule. */
export const SenderRuleInput = SenderRule.extend({
  prefix: SenderRule.shape.prefix.regex(
    PREFIX_PATTERN,
    "prefix: + and 1 to 15 digits, not starting with 0",
  ),
});

/** Each carrier's concatenation style, as its connectors publish it (`carrierConcats`). */
export type CarrierConcats = ReadonlyMap<string, NonNullable<CarrierHealth["concat"]>>;

/**
 * What ingress needs at the door: the routable prefixes, the sender rules, sorted, and the
 * routes that may split with a 16-bit-reference UDH (ADR 0011): those with a `udh16`
 * carrier, or with a carrier whose style no connector has told us yet. Counting their
 * messages with the larger header is what may be sent whichever candidate takes it.
 */
export function routingRulesOf(
  table: RouteTable,
  senderRules: readonly SenderRule[],
  now: Date,
  concats: CarrierConcats,
): RoutingRules {
  const wide = (carrierId: string) => (concats.get(carrierId) ?? "udh16") === "udh16";
  const udh16Prefixes = table.routes
    .filter((route) => route.carriers.some((carrier) => wide(carrier.carrierId)))
    .map((route) => route.prefix)
    .sort();
  return {
    routablePrefixes: table.routes.map((route) => route.prefix).sort(),
    senderRules: [...senderRules].sort((a, b) => a.prefix.localeCompare(b.prefix)),
    // Only when there is one: rules of a gateway without 16-bit carriers stay as they were.
    ...(udh16Prefixes.length > 0 ? { udh16Prefixes } : {}),
    updatedAt: now.toISOString(),
  };
}

/** Same rules, ignoring when they were computed (to skip republishing what is there). */
export function sameRules(a: RoutingRules, b: RoutingRules): boolean {
  const strip = ({ updatedAt: _, ...rest }: RoutingRules) => JSON.stringify(rest);
  return strip(a) === strip(b);
}
