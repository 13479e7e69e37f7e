export {
  type CarrierConfig,
  type CarrierConnectorConfig,
  CarrierConnectorEnv,
  DEFAULT_CARRIERS,
  loadCarrierConnectorConfig,
} from "./config.ts";
export { addressingFor, type SmppAddress } from "./domain/addressing.ts";
export { afterBindFailure, backoffMs } from "./domain/backoff.ts";
export { buildParts, type SubmitPart } from "./domain/parts.ts";
export { partStatusOf } from "./domain/receipt-status.ts";
export {
  decideSubmitOutcome,
  type PartResult,
  type SubmitDecision,
} from "./domain/submit-outcome.ts";
export { carrierDurable } from "./handlers/carrier-consumers.ts";
export {
  leaseBucket,
  type StartedCarrierConnector,
  startCarrierConnector,
} from "./service.ts";
