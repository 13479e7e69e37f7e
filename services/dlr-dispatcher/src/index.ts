export { type DlrDispatcherConfig, DlrDispatcherEnv, loadDlrDispatcherConfig } from "./config.ts";
export {
  type AttemptResult,
  isOriginFailure,
  type NextStep,
  nextStep,
  type RetryPolicy,
  webhookAttemptedEvent,
  webhookRetryDelayMs,
} from "./domain/attempt.ts";
export {
  type InboundBody,
  inboundBody,
  type ReportBody,
  reportBody,
  shouldReport,
  webhookIdFor,
  webhookOf,
} from "./domain/report.ts";
export {
  DLR_DISPATCHER_DURABLE,
  DLR_DISPATCHER_INBOUND_DURABLE,
  DLR_DISPATCHER_SCHEMA,
  type DlrDispatcherOverrides,
  type StartedDlrDispatcher,
  startDlrDispatcher,
} from "./service.ts";
