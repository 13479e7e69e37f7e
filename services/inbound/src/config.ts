import { adminOperatorsSetting, BaseEnv, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";

const Millis = z.coerce.number().int().positive();

export const InboundEnv = BaseEnv.extend({
  HEALTH_PORT: Port.default(8094),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** The parts of a concatenated MO wait this long for their siblings, then go as they are. */
  INBOUND_CONCAT_TIMEOUT_MS: Millis.default(60_000),
  /** How often groups past the timeout are looked for. */
  INBOUND_SWEEP_MS: Millis.default(5_000),
  /** How often the numbers bucket the doors watch is checked against the inventory. */
  INBOUND_NUMBERS_SYNC_MS: Millis.default(60_000),
  /**
   * Days a released number rests before another account may take it (replies and STOPs meant
   * for the last holder must not reach a new one); the account that released it may take it
   * back meanwhile. Simulator numbers never rest. 0: no rest.
   */
  NUMBER_QUARANTINE_DAYS: z.coerce.number().min(0).max(365).default(30),
  /** MO events taken from JetStream in one batch. */
  INBOUND_BATCH: z.coerce.number().int().positive().default(64),
  /**
   * How often MO past their account's retention are erased (the days are the event store's,
   * ADR 0021 amendment 2); the same variable as the event store's job.
   */
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  /** MO erased per transaction by the retention job, and batches per run at most. */
  RETENTION_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
  RETENTION_MAX_BATCHES: z.coerce.number().int().min(1).max(1_000).default(20),
  /**
   * How often the stream eraser tries the queued stream copies of erased MO (ADR 0021,
   * amendment 4): each is deleted once every consumer of its subject has acked past it. An
   * erasure tries at once. The same variable as the event store's.
   */
  STREAM_ERASER_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(2_000),
  /** The admin API (number inventory, unowned MO); off when neither ADMIN_TOKEN nor ADMIN_OPERATORS is set. */
  ADMIN_PORT: Port.default(8095),
  ADMIN_HOST: z.string().min(1).default("127.0.0.1"),
  /** Bearer token of the admin API; unset or empty = the admin API is off. */
  ADMIN_TOKEN: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.string().min(16, "must be at least 16 characters").optional(),
  ),
  /** Named operators (`name:sha256hex`, comma separated): changes are logged as `operator:<name>`. */
  ADMIN_OPERATORS: adminOperatorsSetting,
});
export type InboundConfig = z.output<typeof InboundEnv>;

export function loadInboundConfig(
  env: Record<string, string | undefined> = process.env,
): InboundConfig {
  return loadConfig(InboundEnv, env);
}
