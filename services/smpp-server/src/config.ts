import { AdmissionEnv } from "@smsgw/message-acceptance";
import { BaseEnv, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";

const positiveInt = (fallback: number, max: number) =>
  z.coerce.number().int().positive().max(max).default(fallback);

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

export const SmppServerEnv = BaseEnv.extend({
  /** Customers bind here (api.md section 6). */
  SMPP_PORT: Port.default(2875),
  SMPP_HOST: z.string().min(1).default("127.0.0.1"),
  /** SMPP over TLS on this port as well, when set (with the two files below). */
  SMPP_TLS_PORT: optional(Port),
  /** PEM files of the TLS key and certificate chain. */
  SMPP_TLS_KEY_FILE: optional(z.string().min(1)),
  SMPP_TLS_CERT_FILE: optional(z.string().min(1)),
  HEALTH_PORT: Port.default(8090),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** system_id this server answers binds with. */
  SMPP_SYSTEM_ID: z.string().min(1).max(15).default("smsgw"),
  /** Binds an account may hold at once (all replicas together), unless its limits say otherwise. */
  SMPP_MAX_BINDS: positiveInt(4, 1_000),
  /** A replica's binds count for the account until this long after its last heartbeat. */
  SMPP_BIND_STALE_MS: positiveInt(30_000, 600_000),
  /** submit_sm a bind may have unanswered; one more is answered ESME_RTHROTTLED. */
  SMPP_WINDOW: positiveInt(10, 10_000),
  /** A connection that has not bound by then is closed. */
  SMPP_BIND_TIMEOUT_MS: positiveInt(10_000, 600_000),
  /** enquire_link after this much silence from the customer. */
  SMPP_ENQUIRE_LINK_MS: positiveInt(30_000, 3_600_000),
  /** Password checks (scrypt, ~50 ms each) run at once; more binds wait (ADR 0012). */
  SMPP_BIND_VERIFY_CONCURRENCY: positiveInt(2, 64),
  /** Parts of a concatenated submit that do not all come within this are dropped, uncharged. */
  SMPP_CONCAT_TIMEOUT_MS: positiveInt(60_000, 3_600_000),
  /**
   * A receipt no receiver took is given up when its message's validity ends (api.md section
   * 6); after this long when the message set no validity.
   */
  SMPP_RECEIPT_TTL_HOURS: positiveInt(72, 24 * 30),
  /**
   * The least a receipt is kept, however soon its message's validity ends: the receipt of an
   * expiry is made at the validity's end and must not be dropped as it is stored.
   */
  SMPP_RECEIPT_MIN_KEEP_MS: positiveInt(3_600_000, 30 * 24 * 3_600_000),
  /** How often stored receipts are looked for, for the accounts bound here. */
  SMPP_RECEIPT_POLL_MS: positiveInt(1_000, 60_000),
  /** A receipt sent and not acknowledged is sent again after this long. */
  SMPP_RECEIPT_LEASE_MS: positiveInt(30_000, 3_600_000),
  /** The part limit, as ingress's MAX_PARTS. */
  MAX_PARTS: positiveInt(10, 255),
  /** The account rate (submit_sm per second), as ingress's default; per account in its limits. */
  ACCOUNT_RATE_PER_SEC: z.coerce.number().positive().default(1_000),
  ACCOUNT_BURST: z.coerce.number().positive().default(10_000),
  /**
   * How often the account's rate is synced with this door's other replicas through Postgres
   * (ms), as ingress's; 0 keeps it per replica.
   */
  RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(0).max(10_000).default(100),
  AUTHORIZE_TIMEOUT_MS: positiveInt(5_000, 60_000),
  /** As ingress's: how long a submit waits for others to share its authorize and publish. */
  AUTHORIZE_WINDOW_MS: z.coerce.number().int().min(0).max(100).default(10),
  /** How far ahead schedule_delivery_time may be, as ingress's sendAt. */
  MAX_SCHEDULE_AHEAD_HOURS: z.coerce
    .number()
    .positive()
    .default(7 * 24),
  /** How long after sending validity_period may end, as ingress's validUntil. */
  MAX_VALIDITY_HOURS: z.coerce.number().positive().default(72),
  /** Admission control (ADR 0010), as ingress's: past capacity, ESME_RTHROTTLED before any charge. */
  ...AdmissionEnv,
});
export type SmppServerConfig = z.output<typeof SmppServerEnv>;

/** SMPP over TLS needs its key and certificate. */
const WithTlsFiles = SmppServerEnv.superRefine((env, ctx) => {
  if (env.SMPP_TLS_PORT === undefined) return;
  for (const name of ["SMPP_TLS_KEY_FILE", "SMPP_TLS_CERT_FILE"] as const) {
    if (env[name] === undefined) {
      ctx.addIssue({ code: "custom", path: [name], message: "is needed with SMPP_TLS_PORT" });
    }
  }
});

export function loadSmppServerConfig(
  env: Record<string, string | undefined> = process.env,
): SmppServerConfig {
  return loadConfig(WithTlsFiles, env);
}
