import { CARRIER_ID_PATTERN } from "@smsgw/contracts";
import { z } from "zod";

/**
 * The route table: E.164 prefixes, each with the carriers that take it, their cost per
 * part and the operator's priority. The operator manages it (admin API, CLI; stored in
 * KV); the environment's `ROUTES` only seeds an empty store:
 * `+372=sim-a:380|sim-b:420,+1=sim-b` (cost in money units, 1/10,000 of the currency).
 */
export const PREFIX_PATTERN = /^\+[1-9][0-9]{0,14}$/;

export const Candidate = z.object({
  carrierId: z.string().regex(CARRIER_ID_PATTERN, "carrier id: [a-z0-9][a-z0-9_-]{0,31}"),
  /** Money units per part (1/10,000 of the currency's main unit). */
  costPerPart: z.number().int().nonnegative().max(10_000_000),
  /** Lower wins a cost tie; the operator's preference between equally priced carriers. */
  priority: z.number().int().min(0).max(1000).default(100),
  /** Whether the carrier carries alphanumeric sender ids to this prefix. */
  alphanumeric: z.boolean().default(true),
});
export type Candidate = z.output<typeof Candidate>;

export const Route = z
  .object({
    prefix: z.string().regex(PREFIX_PATTERN, "prefix: + and 1 to 15 digits, not starting with 0"),
    carriers: z.array(Candidate).min(1).max(32),
  })
  .refine(
    (route) => new Set(route.carriers.map((c) => c.carrierId)).size === route.carriers.length,
    {
      message: "a carrier is listed twice",
      path: ["carriers"],
    },
  );
export type Route = z.output<typeof Route>;

/** Routes sorted longest prefix first, so the first match is the longest. */
export interface RouteTable {
  readonly routes: readonly Route[];
}

export type ParsedRouteTable = { ok: true; table: RouteTable } | { ok: false; problems: string[] };

/** The local stack's carriers: sim-a and sim-b of the SMSC simulator. */
export const DEFAULT_ROUTES =
  "+372=sim-a,+358=sim-a,+46=sim-a,+49=sim-a,+44=sim-a,+371=sim-b,+370=sim-b,+33=sim-b,+1=sim-b";

export function createRouteTable(routes: readonly Route[]): RouteTable {
  return {
    routes: [...routes].sort(
      (a, b) => b.prefix.length - a.prefix.length || a.prefix.localeCompare(b.prefix),
    ),
  };
}

/**
 * Parses `+372=sim-a:380|sim-b,+1=sim-b`; every bad entry is named, none is skipped.
 * A carrier without `:cost` costs 0; priority follows the listed order (10, 20, …).
 */
export function parseRouteTable(text: string): ParsedRouteTable {
  const problems: string[] = [];
  const routes: Route[] = [];
  const seen = new Set<string>();
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) return { ok: false, problems: ["no routes given"] };
  for (const entry of entries) {
    const [prefix = "", carrierList, ...rest] = entry.split("=").map((part) => part.trim());
    if (carrierList === undefined || rest.length > 0) {
      problems.push(`"${entry}": expected <prefix>=<carrier>[:<cost>][|<carrier>[:<cost>]…]`);
      continue;
    }
    if (!PREFIX_PATTERN.test(prefix)) {
      problems.push(`"${entry}": prefix must be + and 1 to 15 digits, not starting with 0`);
      continue;
    }
    if (seen.has(prefix)) {
      problems.push(`"${entry}": prefix ${prefix} is listed twice`);
      continue;
    }
    const carriers = carrierList.split("|").map((item, index) => {
      const [carrierId = "", cost = "0"] = item.trim().split(":");
      return {
        carrierId,
        costPerPart: /^\d+$/.test(cost) ? Number(cost) : -1,
        priority: (index + 1) * 10,
      };
    });
    const bad = carriers.filter((c) => !CARRIER_ID_PATTERN.test(c.carrierId));
    if (bad.length > 0) {
      problems.push(
        `"${entry}": invalid carrier id ${bad.map((c) => `"${c.carrierId}"`).join(", ")}`,
      );
      continue;
    }
    if (carriers.some((c) => c.costPerPart < 0)) {
      problems.push(`"${entry}": a cost must be a whole number of money units`);
      continue;
    }
    const parsed = Route.safeParse({ prefix, carriers });
    if (!parsed.success) {
      problems.push(`"${entry}": ${parsed.error.issues[0]?.message ?? "invalid"}`);
      continue;
    }
    seen.add(prefix);
    routes.push(parsed.data);
  }
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, table: createRouteTable(routes) };
}

/** The route with the longest prefix of `to` (an E.164 number), or undefined. */
export function longestPrefixMatch(table: RouteTable, to: string): Route | undefined {
  return table.routes.find((route) => to.startsWith(route.prefix));
}
