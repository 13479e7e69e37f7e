export { type InboundConfig, InboundEnv, loadInboundConfig } from "./config.ts";
export {
  groupAddressing,
  inboundIdOf,
  isComplete,
  joinParts,
  partGroupKey,
  settleGroup,
} from "./domain/concat.ts";
export { parseInventoryEntry } from "./domain/numbers.ts";
export { routeInbound } from "./domain/routing.ts";
export { INBOUND_DURABLE, type StartedInbound, startInbound } from "./service.ts";
