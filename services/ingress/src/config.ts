import { AdmissionEnv } from "@smsgw/message-acceptance";
import { BaseEnv, Flag, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();
const positiveRate = z.coerce.number().positive().finite();

/** The ingress's environment. Defaults fit the local machine and api.md's limits. */
export const IngressEnv = BaseEnv.extend({
  HTTP_PORT: Port.default(8080),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /**
   * /healthz, /readyz and /metrics, on a port of their own (on HTTP_HOST): the API port is
   * the internet's, these are the orchestrator's and Prometheus's (issue 23).
   */
  HEALTH_PORT: Port.default(8089),
  /** Honour X-Forwarded-For (express `trust proxy`): only behind a proxy that sets it. */
  TRUST_PROXY: Flag.default(false),
  /** A text longer than this many parts is refused with invalid_params. */
  MAX_PARTS: positiveInt.max(255).default(10),
  /** Largest request body accepted (bytes); a larger one is invalid_params. */
  MAX_BODY_BYTES: positiveInt.default(64 * 1024),
  /** Per client IP: sustained requests per second (may be fractional), and the bucket size (burst). */
  IP_RATE_PER_SEC: positiveRate.default(100),
  IP_BURST: positiveInt.default(100),
  /** Per account: 1,000/s sustained, bursts up to 10,000 within one second (api.md). */
  ACCOUNT_RATE_PER_SEC: positiveRate.default(1_000),
  ACCOUNT_BURST: positiveInt.default(10_000),
  /**
   * How often the per-IP and per-account limits are synced with the other replicas through
   * Postgres (ms); 0 keeps them per replica.
   */
  RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(0).max(10_000).default(100),
  /** How long to wait for pricing's answer to an authorize request. */
  AUTHORIZE_TIMEOUT_MS: positiveInt.max(20_000).default(5_000),
  /**
   * How long a send waits for others to share its authorize request and its publish, when
   * others are expected meanwhile (ADR 0025); 0 = only those that meet anyway.
   */
  AUTHORIZE_WINDOW_MS: z.coerce.number().int().min(0).max(100).default(10),
  /** The ceiling on every request: it is answered (server_error) by then at the latest. */
  REQUEST_TIMEOUT_MS: positiveInt.max(120_000).default(30_000),
  /** Connections of the pool (status queries, idempotency keys). */
  DATABASE_POOL_MAX: positiveInt.max(100).default(5),
  /** Largest body of `POST /v1/messages/batch` (1,000 messages of up to MAX_PARTS parts). */
  BATCH_MAX_BODY_BYTES: positiveInt.default(4 * 1024 * 1024),
  /** How far ahead `sendAt` may be. */
  MAX_SCHEDULE_AHEAD_HOURS: positiveRate.default(7 * 24),
  /** How long after sending `validUntil` may be. */
  MAX_VALIDITY_HOURS: positiveRate.default(72),
  /** Idempotency keys are kept at least this long (api.md: at least 24 h). */
  IDEMPOTENCY_TTL_HOURS: positiveRate.min(24).default(24),
  /** Allow callback URLs on loopback/private/link-local addresses (the local dev stack). */
  WEBHOOK_ALLOW_PRIVATE: Flag.default(false),
  /** Admission control (ADR 0010), as every door's. */
  ...AdmissionEnv,
});
export type IngressConfig = z.infer<typeof IngressEnv>;

export function loadIngressConfig(env: Record<string, string | undefined>): IngressConfig {
  return loadConfig(IngressEnv, env);
}
