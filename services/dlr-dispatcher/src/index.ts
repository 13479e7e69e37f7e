export { type DlrDispatcherConfig, DlrDispatcherEnv, loadDlrDispatcherConfig } from "./config.ts";
export {
  type AttemptResult,
  type NextStep,
  nextStep,
  type RetryPolicy,
  webhookAttemptedEvent,
  webhookRetryDelayMs,
} from "./domain/attempt.ts";
export {
  type AddressClass,
  classifyAddress,
  endpointOf,
  parseCallbackUrl,
  refusalOf,
} from "./domain/destination.ts";
export { type ReportBody, reportBody, shouldReport, webhookIdFor } from "./domain/report.ts";
export {
  DLR_DISPATCHER_DURABLE,
  type StartedDlrDispatcher,
  startDlrDispatcher,
} from "./service.ts";
