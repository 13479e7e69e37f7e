/**
 * Who may do what in the console (issue 22, team members). Pure: the access middleware
 * (handlers/access.ts) asks `capabilityOf` for every request and `may` for the user's role,
 * so a page or action is refused on the server whatever links the page shows.
 */
export const ROLES = ["owner", "developer", "billing", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/**
 * - `read`: every page of the account's data (no secret is on any page but once, in the
 *   answer to an action);
 * - `develop`: keys, credentials, SMPP, numbers, sender IDs, opt-outs, sending (and canceling
 *   a scheduled message);
 * - `billing`: the balance's settings (the low-balance threshold);
 * - `team`: members, invitations, going live (a commitment of the company);
 * - `self`: one's own password, two-factor and sessions.
 */
export type Capability = "read" | "develop" | "billing" | "team" | "self";

const GRANTS: Record<Role, readonly Capability[]> = {
  owner: ["read", "develop", "billing", "team", "self"],
  developer: ["read", "develop", "self"],
  billing: ["read", "billing", "self"],
  viewer: ["read", "self"],
};

export function may(role: Role, capability: Capability): boolean {
  return GRANTS[role].includes(capability);
}

/** What a role is for, in the words the team page shows. */
export const ROLE_HINTS: Record<Role, string> = {
  owner: "everything, including members and going live",
  developer: "API keys, credentials, SMPP, numbers and settings",
  billing: "balance, ledger and the low-balance warning",
  viewer: "reads everything, changes nothing",
};

type Rule = readonly [method: "GET" | "POST", path: RegExp, need: Capability | "public"];

const SEGMENT = "[^/]+";
const path = (pattern: string) => new RegExp(`^${pattern.replaceAll(":p", SEGMENT)}/?$`);

/**
 * Every route of the console with what it needs. A request that matches none is refused
 * (404), so a route added without a rule here is closed, not open.
 */
const RULES: readonly Rule[] = [
  ["GET", path("/"), "public"],
  ["GET", path("/(signup|login|login/totp|tools/phone)"), "public"],
  ["POST", path("/(signup|login|login/totp|logout)"), "public"],
  ["GET", /^\/static\/.+$/, "public"],
  ["GET", path("/invite/:p"), "public"],
  ["POST", path("/invite/:p"), "public"],
  ["GET", path("/(dashboard|messages|messages/export\\.csv|messages/:p|billing)"), "read"],
  ["GET", path("/(credentials|keys|smpp|account|numbers|inbound|opt-outs|send)"), "read"],
  [
    "POST",
    path("/credentials/(rotate-token|rotate-webhook-secret|callback|test-webhook)"),
    "develop",
  ],
  ["POST", path("/(send|keys|smpp/rotate|numbers|sender-ids|opt-outs)"), "develop"],
  ["POST", path("/keys/:p/revoke"), "develop"],
  ["POST", path("/messages/:p/cancel"), "develop"],
  ["POST", path("/numbers/:p/(inbound-url|release)"), "develop"],
  ["POST", path("/sender-ids/:p/withdraw"), "develop"],
  ["POST", path("/opt-outs/:p/remove"), "develop"],
  ["POST", path("/account/low-balance"), "billing"],
  ["POST", path("/account/live"), "team"],
  ["GET", path("/team"), "team"],
  ["POST", path("/team/invite"), "team"],
  ["POST", path("/team/invitations/:p/revoke"), "team"],
  ["POST", path("/team/members/:p/(role|remove)"), "team"],
  ["GET", path("/security"), "self"],
  ["POST", path("/security/(password|totp/start|totp/confirm|totp/disable)"), "self"],
  ["POST", path("/security/sessions/:p/revoke"), "self"],
];

/** What the request needs, or undefined when the console has no such route. */
export function capabilityOf(method: string, url: string): Capability | "public" | undefined {
  const wanted = method === "HEAD" ? "GET" : method;
  for (const [m, pattern, need] of RULES) if (m === wanted && pattern.test(url)) return need;
  return undefined;
}
