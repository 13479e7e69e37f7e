import { BaseEnv, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";

export const EventStoreEnv = BaseEnv.extend({
  HEALTH_PORT: Port.default(8085),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** Events folded per transaction at most (the consumer's natural batches). */
  MAX_BATCH: z.coerce.number().int().min(1).max(5_000).default(500),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(4),
});
export type EventStoreConfig = z.infer<typeof EventStoreEnv>;

export function loadEventStoreConfig(
  env: Record<string, string | undefined> = process.env,
): EventStoreConfig {
  return loadConfig(EventStoreEnv, env);
}
