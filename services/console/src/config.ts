import { isIP } from "node:net";
import { BaseEnv, Flag, loadConfig, Port, SecretBoxKeyEnv } from "@smsgw/service-kit";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

/** express's names for address ranges (proxy-addr). */
const PROXY_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);
const MAX_PROXY_HOPS = 10;

/** What is wrong with one entry of a proxy list, or undefined when it is an address or CIDR. */
function proxyEntryProblem(entry: string): string | undefined {
  if (PROXY_RANGES.has(entry)) return undefined;
  const [address = "", bits, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return `"${entry}" is not an IP address or CIDR`;
  const max = version === 4 ? 32 : 128;
  if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max)) {
    return `"${entry}" has a prefix length outside 0-${max}`;
  }
  return undefined;
}

/**
 * express's `trust proxy`, as a number of proxy hops (0: none) or a list of the proxies'
 * addresses. Trusting every hop ("true") is refused: each request could then name its own
 * client address in X-Forwarded-For and escape the per-IP throttles.
 */
export const TrustProxy = z
  .string()
  .trim()
  .transform((text, ctx): number | string[] => {
    if (["", "false", "no", "0"].includes(text)) return 0;
    if (text === "true" || text === "yes") {
      ctx.addIssue({
        code: "custom",
        message:
          "trusting every hop lets any client pick its address: give the number of proxies in front (e.g. 1) or their addresses/CIDRs",
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(text)) {
      const hops = Number(text);
      if (hops <= MAX_PROXY_HOPS) return hops;
      ctx.addIssue({ code: "custom", message: `at most ${MAX_PROXY_HOPS} proxy hops` });
      return z.NEVER;
    }
    const entries = text.split(",").map((entry) => entry.trim());
    const problems = entries.map(proxyEntryProblem).filter((p) => p !== undefined);
    if (problems.length === 0) return entries;
    ctx.addIssue({
      code: "custom",
      message: `${problems.join("; ")} (a hop count, or addresses/CIDRs separated by commas)`,
    });
    return z.NEVER;
  });

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
  /**
   * Where customers bind over SMPP (smpp-server's port as they reach it), shown on the SMPP
   * page as `smpp://SYSTEM_ID:PASSWORD@<this>`: a host (name, IPv4 or [IPv6]) and a port.
   */
  PUBLIC_SMPP_ADDRESS: z
    .string()
    .regex(
      /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/,
      "a host:port such as smpp.example.com:2875",
    )
    .default("127.0.0.1:2875"),
  /** Free test credits of a new account, in the currency's units ("1" = 1 EUR). */
  TEST_CREDITS: z
    .string()
    .regex(/^\d{1,4}(\.\d{1,4})?$/, "a decimal amount such as 1 or 0.5")
    .default("1"),
  /** How long a session lasts without use. */
  SESSION_IDLE_HOURS: positiveInt.max(24 * 30).default(12),
  /** How long a session lasts at most after log-in, however often it is used. */
  SESSION_MAX_HOURS: positiveInt.max(24 * 30).default(12),
  /** Mark cookies Secure (set behind HTTPS; the local stack runs plain HTTP). */
  COOKIE_SECURE: Flag.default(false),
  /**
   * Which X-Forwarded-For entries name the client (for throttling, and X-Forwarded-Proto for
   * the Origin check): the number of proxies in front ("1": the address the nearest proxy
   * added), or those proxies' addresses/CIDRs separated by commas. Unset: none, the
   * connection's address is the client.
   */
  TRUST_PROXY: TrustProxy.default(0),
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
  /**
   * Let a number's inbound URL name a loopback or private host (the local stack's receivers),
   * as ingress's and pricing's WEBHOOK_ALLOW_PRIVATE do for callback URLs.
   */
  WEBHOOK_ALLOW_PRIVATE: Flag.default(false),
  /**
   * Showing or rotating a secret asks for the password (and two-factor code) again unless it
   * was typed in this session within these minutes; 0 asks every time.
   */
  REAUTH_MINUTES: z.coerce.number().int().min(0).max(60).default(10),
  /** How long an invitation link works. */
  INVITATION_HOURS: positiveInt.max(24 * 14).default(72),
  /**
   * Seals the members' TOTP secrets at rest (AES-256-GCM, 32 bytes as base64: `openssl rand
   * -base64 32`). Unset: two-factor cannot be turned on (the security page says so).
   */
  CONSOLE_SECRETS_KEY: SecretBoxKeyEnv,
  /** The key before a rotation: secrets sealed under it still open. */
  CONSOLE_SECRETS_KEY_PREVIOUS: SecretBoxKeyEnv,
  /** How often audit entries pricing has not confirmed yet are sent again. */
  AUDIT_RETRY_MS: positiveInt.max(3_600_000).default(30_000),
  /**
   * The console's address as members reach it, for invitation links (`https://console.example.com`).
   * Unset: the address of the owner's request.
   */
  PUBLIC_CONSOLE_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url().optional()),
});
export type ConsoleConfig = z.infer<typeof ConsoleEnv>;

export function loadConsoleConfig(env: Record<string, string | undefined>): ConsoleConfig {
  return loadConfig(ConsoleEnv, env);
}
