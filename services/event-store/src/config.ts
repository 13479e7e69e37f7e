import { BaseEnv, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";

export const EventStoreEnv = BaseEnv.extend({
  HEALTH_PORT: Port.default(8085),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** Events folded per transaction at most (the consumer's natural batches). */
  MAX_BATCH: z.coerce.number().int().min(1).max(5_000).default(500),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(4),
  /**
   * Days a message's text and number are kept after its final status (api.md section 7),
   * unless the operator set the account's own (`bin/gw messages retention`). At least a day:
   * ingress keeps a send's answer (with the number) IDEMPOTENCY_TTL_HOURS, 24 by default.
   */
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  /** How often the retention job looks for messages to erase. */
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  /** Messages erased per statement by the retention job, and batches per run at most. */
  RETENTION_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
  RETENTION_MAX_BATCHES: z.coerce.number().int().min(1).max(1_000).default(20),
  /**
   * How often the stream eraser tries the queued stream copies of erased content (ADR 0021):
   * each is deleted once every consumer of its subject has acked past it. A redact tries at once.
   */
  STREAM_ERASER_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(2_000),
});
export type EventStoreConfig = z.infer<typeof EventStoreEnv>;

export function loadEventStoreConfig(
  env: Record<string, string | undefined> = process.env,
): EventStoreConfig {
  return loadConfig(EventStoreEnv, env);
}
