import { BaseEnv, Flag, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

/** The console's environment. Defaults fit the local machine (README, "Configuration"). */
export const ConsoleEnv = BaseEnv.extend({
  HTTP_PORT: Port.default(8087),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** /healthz, /readyz and /metrics, apart from the customer-facing port. */
  HEALTH_PORT: Port.default(8088),
  /** The public API as the console reaches it: the send form posts there. */
  INGRESS_URL: z.url().default("http://127.0.0.1:8080"),
  /**
   * The public API as customers reach it, shown in the snippets; INGRESS_URL when unset.
   * Differs behind a load balancer or in containers (`http://ingress:8080` inside, the
   * published address outside).
   */
  PUBLIC_API_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url().optional()),
  /** Free test credits of a new account, in the currency's units ("1" = 1 EUR). */
  TEST_CREDITS: z
    .string()
    .regex(/^\d{1,4}(\.\d{1,4})?$/, "a decimal amount such as 1 or 0.5")
    .default("1"),
  /** How long a session lasts without use. */
  SESSION_IDLE_HOURS: positiveInt.max(24 * 30).default(12),
  /** Mark cookies Secure (set behind HTTPS; the local stack runs plain HTTP). */
  COOKIE_SECURE: Flag.default(false),
  /** Honour X-Forwarded-For for throttling: only behind a proxy that sets it. */
  TRUST_PROXY: Flag.default(false),
  /** Failed log-ins per email or per client IP within LOGIN_WINDOW_MINUTES before a lock-out. */
  LOGIN_MAX_FAILURES: positiveInt.max(1000).default(5),
  LOGIN_WINDOW_MINUTES: positiveInt.max(24 * 60).default(15),
  /** Sign-ups per client IP per hour (each one creates an account with test credits). */
  SIGNUPS_PER_IP_HOUR: positiveInt.max(10_000).default(10),
  /** How long to wait for pricing's answers. */
  RPC_TIMEOUT_MS: positiveInt.max(30_000).default(5_000),
  /** How long to wait for a test webhook's answer: above the dispatcher's WEBHOOK_TIMEOUT_MS. */
  TEST_WEBHOOK_TIMEOUT_MS: positiveInt.max(60_000).default(10_000),
  DATABASE_POOL_MAX: positiveInt.max(100).default(5),
});
export type ConsoleConfig = z.infer<typeof ConsoleEnv>;

export function loadConsoleConfig(env: Record<string, string | undefined>): ConsoleConfig {
  return loadConfig(ConsoleEnv, env);
}
