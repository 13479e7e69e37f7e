export { loadRoutingConfig, type RoutingConfig, RoutingEnv } from "./config.ts";
export {
  commandStatusHex,
  decideAfterSubmitFailure,
  decideRoute,
  type FailDecision,
  type RouteChoice,
  type RouteDecision,
} from "./domain/decide.ts";
export {
  createRouteTable,
  DEFAULT_ROUTES,
  longestPrefixMatch,
  parseRouteTable,
  type Route,
  type RouteTable,
} from "./domain/route-table.ts";
export { ROUTING_DURABLES, type StartedRouting, startRouting } from "./service.ts";
