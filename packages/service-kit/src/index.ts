export { newApiKeySecret } from "./api-key-secret.ts";
export { type CliOutput, type OperatorCli, runOperatorCli, UsageError } from "./cli.ts";
export * from "./config.ts";
export { type Database, openDatabase } from "./db/database.ts";
export {
  type EraseNoticeOutbox,
  eraseNoticeTable,
  type ResendLimits,
} from "./db/erase-notices.ts";
export {
  MigrationsApplied,
  MigrationsMissing,
  migrateSchema,
  pendingMigrations,
  waitForMigrations,
} from "./db/migrate.ts";
export { streamErasureTable } from "./db/stream-erasure-queue.ts";
export {
  type CopyFate,
  fateOfCopy,
  type QueuedCopy,
  type StreamConsumer,
  subjectMatches,
} from "./domain/stream-erasure.ts";
export * from "./errors.ts";
export { createGroupCommit, type GroupCommit, type GroupCommitOptions } from "./group-commit.ts";
export { type AdminApi, adminCallerOfResponse, adminFail, startAdminApi } from "./http/admin.ts";
export {
  type AdminCaller,
  type AdminCredentials,
  adminActorOf,
  adminCallerOf,
  adminOperatorsSetting,
  hasAdminCredentials,
  isAdminAuthorized,
} from "./http/admin-auth.ts";
export {
  answerMetrics,
  answerProbe,
  type ExtraRoute,
  type HealthServer,
  type Probes,
  startHealthServer,
} from "./http/health.ts";
export * from "./infrastructure.ts";
export * from "./lifecycle.ts";
export { createLogger, type Logger } from "./logger.ts";
export { type NatsSettings, natsAuthOptions } from "./nats/auth.ts";
export { isWrongRevision, openBucket, setBucketReplicas } from "./nats/bucket.ts";
export { connectNats, type Nats } from "./nats/connect.ts";
export * from "./nats/consumer.ts";
export { createEraseNotifier, type EraseNotifier } from "./nats/erase-notice.ts";
export { type KvCache, startKvCache } from "./nats/kv-cache.ts";
export {
  createEventPublisher,
  type EventPublisher,
  eventBatchId,
  inChunks,
  PartlyStoredError,
  PublishNotStoredError,
  publishWithRetry,
  type StoredEnvelope,
} from "./nats/publisher.ts";
export { type ResponderOptions, startResponder } from "./nats/responder.ts";
export { ensureDurableConsumer, ensureEventStream } from "./nats/stream.ts";
export {
  defineStreamEraserMetrics,
  runStreamEraser,
  type StreamEraserMetrics,
  type StreamEraserOptions,
  type StreamErasureQueue,
  startStreamEraser,
  streamFirstSeq,
} from "./nats/stream-eraser.ts";
export * from "./nats/trace-headers.ts";
export * from "./nats/unbatch.ts";
export { createWindow } from "./nats/window.ts";
export { setNewest } from "./newest-first.ts";
export { numberErasedNotice, numberSha256 } from "./number-digest.ts";
export { startPeriodic } from "./periodic.ts";
export { createSecretBox, isSealed, type SecretBox, secretBoxKey } from "./secret-box.ts";
export {
  defineCounter,
  defineGauge,
  defineHistogram,
  LATENCY_BUCKETS,
} from "./telemetry/define.ts";
export * from "./telemetry/metrics.ts";
export {
  endSpan,
  type RouteOf,
  type Span,
  SpanKind,
  serviceTracer,
  startRpcSpan,
  traceContextOf,
  traceHttpRequests,
  withSpan,
} from "./telemetry/spans.ts";
export { startTracing, type Tracing, tracingRequested } from "./telemetry/tracing.ts";
