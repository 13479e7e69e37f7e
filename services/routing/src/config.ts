import { BaseEnv, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";
import { DEFAULT_ROUTES, parseRouteTable, type RouteTable } from "./domain/route-table.ts";

/** `ROUTES=+372=sim-a,+1=sim-b|sim-a`: prefix -> carriers, most preferred first. */
const Routes = z
  .string()
  .default(DEFAULT_ROUTES)
  .transform((text, ctx): RouteTable => {
    const parsed = parseRouteTable(text);
    if (parsed.ok) return parsed.table;
    for (const problem of parsed.problems) ctx.addIssue({ code: "custom", message: problem });
    return z.NEVER;
  });

export const RoutingEnv = BaseEnv.extend({
  ROUTES: Routes,
  HEALTH_PORT: Port.default(8082),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
});
export type RoutingConfig = z.output<typeof RoutingEnv>;

export function loadRoutingConfig(
  env: Record<string, string | undefined> = process.env,
): RoutingConfig {
  return loadConfig(RoutingEnv, env);
}
