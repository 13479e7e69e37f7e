export { loadRoutingConfig, type RoutingConfig, RoutingEnv } from "./config.ts";
export {
  type CarrierScore,
  type ChoicePolicy,
  chooseCarrier,
  DEFAULT_POLICY,
  type HealthState,
} from "./domain/choose.ts";
export {
  commandStatusHex,
  decideAfterSubmitFailure,
  decideRoute,
  type FailDecision,
  type RouteChoice,
  type RouteDecision,
  type RoutingView,
} from "./domain/decide.ts";
export {
  createRouteTable,
  DEFAULT_ROUTES,
  longestPrefixMatch,
  parseRouteTable,
  type Route,
  type RouteTable,
} from "./domain/route-table.ts";
export { routesBucket } from "./kv/route-store.ts";
export { ROUTING_DURABLES, type StartedRouting, startRouting } from "./service.ts";
