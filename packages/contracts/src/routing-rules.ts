import { z } from "zod";
import { senderKind } from "./sender-id.ts";

/**
 * What routing knows that ingress must answer at the door: which destinations have a
 * route at all, and which senders each country accepts. Routing publishes it to the
 * routing KV bucket (key "rules"); ingress keeps it in memory and calls `checkRouting`.
 */
export const SenderRule = z.object({
  /** E.164 prefix the rule applies to, e.g. "+1" or "+372". Longest match wins. */
  prefix: z.string().regex(/^\+\d{1,15}$/),
  alphanumericAllowed: z.boolean(),
  /** When set, only these senders may be used for this prefix. */
  registeredOnly: z.boolean(),
  registeredSenders: z.array(z.string()).default([]),
  /**
   * Alphanumeric senders must be registered to the sending account and approved by the
   * operator (the sender ID registry, ADR 0019): checked at the door against the approved
   * sender IDs bucket. Absent (rules from before it) = off.
   */
  accountRegistry: z.boolean().optional(),
});
export type SenderRule = z.infer<typeof SenderRule>;

export const RoutingRules = z.object({
  /** Prefixes that have at least one carrier. */
  routablePrefixes: z.array(z.string().regex(/^\+\d{1,15}$/)),
  senderRules: z.array(SenderRule),
  /**
   * Routable prefixes whose route has a carrier that splits with a 16-bit-reference UDH, or
   * one whose header routing has not heard of (ADR 0011): messages to them are counted, and
   * billed, with 152 GSM-7 septets / 66 UCS-2 units per part. Absent (rules from before it,
   * or no such route) = none.
   */
  udh16Prefixes: z.array(z.string().regex(/^\+\d{1,15}$/)).optional(),
  updatedAt: z.iso.datetime(),
});
export type RoutingRules = z.infer<typeof RoutingRules>;

/**
 * The concatenation header to count a message's parts with: `udh16` when the destination's
 * route (its longest routable prefix, the one routing picks from) may use a carrier with a
 * 16-bit-reference UDH, else `udh8`.
 */
export function concatFor(rules: RoutingRules | null, to: string): "udh8" | "udh16" {
  const wide = rules?.udh16Prefixes;
  if (!rules || !wide || wide.length === 0) return "udh8";
  let route: string | undefined;
  for (const prefix of rules.routablePrefixes) {
    if (to.startsWith(prefix) && (!route || prefix.length > route.length)) route = prefix;
  }
  return route !== undefined && wide.includes(route) ? "udh16" : "udh8";
}

export type RoutingCheck =
  | { ok: true }
  | { ok: false; status: "destination_blocked" | "invalid_sender"; message: string };

function longest<T extends { prefix: string }>(items: readonly T[], to: string): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (to.startsWith(item.prefix) && (!best || item.prefix.length > best.prefix.length))
      best = item;
  }
  return best;
}

/** Whether the destination's sender rule (longest prefix) turns the account sender registry on. */
export function accountRegistryFor(rules: RoutingRules, to: string): boolean {
  return longest(rules.senderRules, to)?.accountRegistry === true;
}

/** Pure: can this sender reach this E.164 destination through any route? */
export function checkRouting(rules: RoutingRules, to: string, from: string): RoutingCheck {
  const routable = rules.routablePrefixes.some((prefix) => to.startsWith(prefix));
  if (!routable)
    return { ok: false, status: "destination_blocked", message: "no route to this destination" };
  const rule = longest(rules.senderRules, to);
  if (!rule) return { ok: true };
  if (senderKind(from) === "alphanumeric" && !rule.alphanumericAllowed) {
    return {
      ok: false,
      status: "invalid_sender",
      message: "this destination requires a numeric sender",
    };
  }
  if (rule.registeredOnly && !rule.registeredSenders.includes(from)) {
    return {
      ok: false,
      status: "invalid_sender",
      message: "this destination accepts registered senders only",
    };
  }
  return { ok: true };
}
