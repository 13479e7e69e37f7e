import { CARRIER_ID_PATTERN } from "@smsgw/contracts";

/**
 * The static route table: E.164 prefixes, each with the carriers that take it, in order
 * of preference. Written in the environment as `+372=sim-a,+1=sim-b|sim-a`.
 */
export interface Route {
  /** `+` and 1 to 15 digits, e.g. `+372` or `+3725`. */
  readonly prefix: string;
  /** Carrier ids, most preferred first; never empty. */
  readonly carriers: readonly string[];
}

/** Routes sorted longest prefix first, so the first match is the longest. */
export interface RouteTable {
  readonly routes: readonly Route[];
}

export type ParsedRouteTable = { ok: true; table: RouteTable } | { ok: false; problems: string[] };

const PREFIX_PATTERN = /^\+[1-9][0-9]{0,14}$/;

/** The local stack's carriers: sim-a and sim-b of the SMSC simulator. */
export const DEFAULT_ROUTES =
  "+372=sim-a,+358=sim-a,+46=sim-a,+49=sim-a,+44=sim-a,+371=sim-b,+370=sim-b,+33=sim-b,+1=sim-b";

export function createRouteTable(routes: readonly Route[]): RouteTable {
  return { routes: [...routes].sort((a, b) => b.prefix.length - a.prefix.length) };
}

/** Parses `+372=sim-a,+371=sim-b|sim-a`; every bad entry is named, none is skipped. */
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
      problems.push(`"${entry}": expected <prefix>=<carrier>[|<carrier>…]`);
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
    const carriers = carrierList.split("|").map((carrier) => carrier.trim());
    const bad = carriers.filter((carrier) => !CARRIER_ID_PATTERN.test(carrier));
    if (bad.length > 0) {
      problems.push(`"${entry}": invalid carrier id ${bad.map((c) => `"${c}"`).join(", ")}`);
      continue;
    }
    if (new Set(carriers).size !== carriers.length) {
      problems.push(`"${entry}": a carrier is listed twice`);
      continue;
    }
    seen.add(prefix);
    routes.push({ prefix, carriers });
  }
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, table: createRouteTable(routes) };
}

/** The route with the longest prefix of `to` (an E.164 number), or undefined. */
export function longestPrefixMatch(table: RouteTable, to: string): Route | undefined {
  return table.routes.find((route) => to.startsWith(route.prefix));
}
