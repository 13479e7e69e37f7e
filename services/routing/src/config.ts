import { adminOperatorsSetting, BaseEnv, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";
import { DEFAULT_ROUTES, parseRouteTable, type RouteTable } from "./domain/route-table.ts";

/** `ROUTES=+372=sim-a:380|sim-b:420,+1=sim-b`: seeds an empty route store. */
const Routes = z
  .string()
  .default(DEFAULT_ROUTES)
  .transform((text, ctx): RouteTable => {
    const parsed = parseRouteTable(text);
    if (parsed.ok) return parsed.table;
    for (const problem of parsed.problems) ctx.addIssue({ code: "custom", message: problem });
    return z.NEVER;
  });

const seconds = (fallback: number, max: number) =>
  z.coerce.number().positive().max(max).default(fallback);

export const RoutingEnv = BaseEnv.extend({
  ROUTES: Routes,
  HEALTH_PORT: Port.default(8082),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** The admin API (routes, senders, scores); off when neither ADMIN_TOKEN nor ADMIN_OPERATORS is set. */
  ADMIN_PORT: Port.default(8092),
  ADMIN_HOST: z.string().min(1).default("127.0.0.1"),
  /** Bearer token of the admin API; unset or empty = the admin API is off. */
  ADMIN_TOKEN: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.string().min(16, "must be at least 16 characters").optional(),
  ),
  /** Named operators (`name:sha256hex`, comma separated): changes are logged as `operator:<name>`. */
  ADMIN_OPERATORS: adminOperatorsSetting,
  /** Attempts per message, the first included, before it fails with no_carrier_left. */
  ROUTE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Estimated delivery ratio under which a carrier is passed over (if another is fine). */
  ROUTE_RELIABILITY_FLOOR: z.coerce.number().min(0).max(1).default(0.8),
  /** The neutral prior of a carrier with no receipts, and its weight in receipts. */
  ROUTE_PRIOR: z.coerce.number().min(0).max(1).default(0.9),
  ROUTE_PRIOR_WEIGHT: z.coerce.number().min(0).max(10_000).default(10),
  /**
   * The rolling window the scores count (the connectors' counts must reach back this far:
   * their SCORE_WINDOW_MS).
   */
  ROUTE_SCORE_WINDOW_SECONDS: seconds(600, 86_400),
  /** A connector replica's health record older than this is ignored. */
  ROUTE_HEALTH_STALE_SECONDS: seconds(60, 3_600),
  /** How often the schedule's table is looked at for due messages (more at once when a batch filled). */
  ROUTE_SCHEDULE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  /** How long a replica has the scheduled messages it took to itself (then another may). */
  ROUTE_SCHEDULE_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** Scheduled messages taken at a time. */
  ROUTE_SCHEDULE_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
  /**
   * A redelivered decision that comes out "fail" waits this long, this many times, for a
   * later attempt to show in the message's record before it is published (ADR 0009,
   * amendment "a redelivered failure").
   */
  ROUTE_FAILURE_WAIT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  ROUTE_FAILURE_WAITS: z.coerce.number().int().min(0).max(100).default(5),
});
export type RoutingConfig = z.output<typeof RoutingEnv>;

export function loadRoutingConfig(
  env: Record<string, string | undefined> = process.env,
): RoutingConfig {
  return loadConfig(RoutingEnv, env);
}
