import { fileURLToPath } from "node:url";
import { BaseEnv, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";

/** The price list shipped with the service, loaded when the `prices` table is empty. */
export const DEFAULT_PRICE_LIST_CSV = fileURLToPath(new URL("../data/prices.csv", import.meta.url));

export const PricingEnv = BaseEnv.extend({
  HEALTH_PORT: Port.default(8081),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** CSV `prefix,country,price_per_part,currency` seeded into an empty `prices` table. */
  PRICE_LIST_CSV: z.string().min(1).default(DEFAULT_PRICE_LIST_CSV),
  /** How long the first authorize request of a batch waits for company (group commit). */
  AUTHORIZE_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(200).default(2),
  /** Most requests decided in one transaction. */
  AUTHORIZE_MAX_BATCH: z.coerce.number().int().min(1).max(5_000).default(200),
  /** Batch transactions running at once (they serialize per account on its row lock). */
  AUTHORIZE_MAX_CONCURRENT: z.coerce.number().int().min(1).max(16).default(1),
});
export type PricingConfig = z.infer<typeof PricingEnv>;

export function loadPricingConfig(
  env: Record<string, string | undefined> = process.env,
): PricingConfig {
  return loadConfig(PricingEnv, env);
}
