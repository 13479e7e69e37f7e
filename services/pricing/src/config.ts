import { fileURLToPath } from "node:url";
import {
  adminOperatorsSetting,
  BaseEnv,
  ConfigError,
  Flag,
  loadConfig,
  Port,
} from "@smsgw/service-kit";
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
  /**
   * A charge transaction still running after this long is given up, freeing its slot; and no
   * request is charged later than this after its arrival, nor after its door's `answerBy` (less
   * a margin). Below the doors' AUTHORIZE_TIMEOUT_MS (5 s), so that a door of the version
   * before, which sends no `answerBy`, is not charged after it said "not charged" either.
   */
  AUTHORIZE_COMMIT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(4_000),
  /** A charge with no MessageAccepted after this long is refunded by the sweep. */
  REFUND_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 60_000),
  /**
   * How long after its charge a message's MessageAccepted may still be stored (its
   * `publishBy`, ADR 0022); a copy stored later is void, and the sweep refunds the charge.
   * Unset: a minute, or a quarter of REFUND_GRACE_MS when that is shorter; at most half of it,
   * so that what the fence lets through is read long before the sweep looks.
   */
  ACCEPT_WINDOW_MS: z.coerce.number().int().min(1).optional(),
  /** How often the sweep runs (refunds, outbox relay, webhook secrets, price reload). */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(10).default(30_000),
  /** An outbox event still there after this long was not published at once: relay it. */
  OUTBOX_RELAY_AFTER_MS: z.coerce.number().int().min(0).default(10_000),
  /** How long a rotated-out webhook secret keeps being published (receivers switch over). */
  WEBHOOK_SECRET_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(24 * 60 * 60_000),
  /** Default callback URLs may name loopback/private hosts (the local stack, tests), as ingress's. */
  WEBHOOK_ALLOW_PRIVATE: Flag.default(false),
  ADMIN_PORT: Port.default(8091),
  ADMIN_HOST: z.string().min(1).default("127.0.0.1"),
  /**
   * The admin API's named operators (issue 22): `name:sha256-of-token-hex` pairs, comma
   * separated. An operator's changes are recorded as `operator:<name>`, proved by its token,
   * never by a header. The admin API is on when this or ADMIN_TOKEN is set.
   */
  ADMIN_OPERATORS: adminOperatorsSetting,
  /** Bearer token of the admin API shared by every operator (X-Actor names who); unset with no ADMIN_OPERATORS = the admin API is off. */
  ADMIN_TOKEN: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.string().min(16, "must be at least 16 characters").optional(),
  ),
});
export type PricingConfig = Omit<z.infer<typeof PricingEnv>, "ACCEPT_WINDOW_MS"> & {
  ACCEPT_WINDOW_MS: number;
};

const DEFAULT_ACCEPT_WINDOW_MS = 60_000;

export function loadPricingConfig(
  env: Record<string, string | undefined> = process.env,
): PricingConfig {
  const config = loadConfig(PricingEnv, env);
  const window =
    config.ACCEPT_WINDOW_MS ??
    Math.max(1, Math.min(DEFAULT_ACCEPT_WINDOW_MS, Math.floor(config.REFUND_GRACE_MS / 4)));
  if (window * 2 > config.REFUND_GRACE_MS) {
    throw new ConfigError(
      "invalid configuration:\n  ACCEPT_WINDOW_MS: at most half of REFUND_GRACE_MS (ADR 0022)",
    );
  }
  return { ...config, ACCEPT_WINDOW_MS: window };
}
