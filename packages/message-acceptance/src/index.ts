// @smsgw/message-acceptance: how a message is accepted, whatever door it came in by (the
// HTTP API in ingress, SMPP in smpp-server): the checks in api.md's order, pricing's charge,
// and the MessageAccepted publish. See README.md.

export { type AdmissionConfig, AdmissionEnv } from "./admission/config.ts";
export {
  type AdmissionDeps,
  type AdmissionGate,
  ALWAYS_ADMIT,
  admissionDeps,
  type PendingAnswer,
  startAdmission,
  startAdmissionGate,
} from "./admission/gate.ts";
export type { AdmissionMetrics } from "./admission/metrics.ts";
export { AuthorizeFailedError, type Authorizer, createAuthorizer } from "./authorizer.ts";
export { type AcceptedInput, acceptedEvent, callbackUrlOf } from "./domain/accepted-event.ts";
export { accountLimitsOf, type DefaultLimits, ipLimitsOf } from "./domain/account-limits.ts";
export {
  type ApiError,
  AUTH_FAILED,
  apiError,
  type Checked,
  type ErrorStatus,
  HTTP_STATUS_OF,
  passed,
  refused,
  v1HttpStatus,
} from "./domain/api-error.ts";
export { acceptedAt, type Charge, outcomeOfAuthorize } from "./domain/authorize-outcome.ts";
export { checkDoor, type DoorInput } from "./domain/door.ts";
export type { MessageFields, Schedule, ScheduleLimits } from "./domain/message-fields.ts";
export { checkPhone, type Destination, E164_SHAPE } from "./domain/phone.ts";
export {
  type AcceptOutcome,
  OUTCOME_UNKNOWN_RETRY_AFTER_SEC,
  outcomeUnknown,
} from "./domain/publish-outcome.ts";
export { checkSchedule } from "./domain/schedule.ts";
export { checkSender } from "./domain/sender.ts";
export {
  createSharedRateLimiter,
  type SharedRateLimiter,
  type Usage,
} from "./domain/shared-limits.ts";
export {
  checkTextBounds,
  countTextParts,
  maxTextLength,
  type TextCount,
  unrecordable,
} from "./domain/text.ts";
export {
  type Bucket,
  type BucketLimits,
  createRateLimiter,
  isIdle,
  makeRoom,
  type RateLimiter,
  type RateLimiterOptions,
  refill,
  type TakeDecision,
  take,
} from "./domain/token-bucket.ts";
export { type DoorLists, startDoorLists } from "./door-lists.ts";
export { type OptOutList, startOptOutList } from "./opt-outs.ts";
export { type OwnedNumbers, startOwnedNumbers } from "./owned-numbers.ts";
export {
  createPipeline,
  type Draft,
  NOT_ACCEPTED,
  type Pipeline,
  type PipelineDeps,
  type SendInput,
} from "./pipeline.ts";
export { RpcFailedError, requestReply } from "./rpc.ts";
export { type ApprovedSenderIds, startApprovedSenderIds } from "./sender-ids.ts";
export {
  rateBucketsTable,
  type SharedLimitsDeps,
  startSharedLimits,
} from "./shared-limits/store.ts";
