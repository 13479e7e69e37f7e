import { z } from "zod";
import { secretBoxKey } from "./secret-box.ts";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** "true"/"false"/"1"/"0" — z.coerce.boolean() would read "false" as true. */
export const Flag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** A secret-box key (32 bytes, base64: secret-box.ts); empty or absent: none. */
export const SecretBoxKeyEnv = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === "") return undefined;
    try {
      return secretBoxKey(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });

/** Settings every service shares. Defaults fit the local machine. */
export const BaseEnv = z.object({
  NATS_URL: z.string().min(1).default("nats://127.0.0.1:4222"),
  DATABASE_URL: z.string().min(1).default("postgres://postgres@127.0.0.1:5432/smsgw"),
  /**
   * NATS credentials (docs/security.md): a creds file (NATS_CREDS_FILE, a JWT and nkey seed),
   * or a user (NATS_USER) with NATS_PASSWORD or NATS_PASSWORD_FILE, one user per service
   * (deploy/nats/auth.conf). Unset: no authentication (this machine's NATS).
   */
  NATS_CREDS_FILE: z.string().min(1).optional(),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_PASSWORD_FILE: z.string().min(1).optional(),
  /** TLS to NATS: the CA that signed the server's certificate; a client cert and key if asked. */
  NATS_TLS_CA_FILE: z.string().min(1).optional(),
  NATS_TLS_CERT_FILE: z.string().min(1).optional(),
  NATS_TLS_KEY_FILE: z.string().min(1).optional(),
  /**
   * Where replies to this process arrive (requests, pulls, KV watches). Default: `_INBOX.<user>`
   * under NATS_USER, which is all that user may subscribe to, so no other service reads its
   * replies; `_INBOX` without a user.
   */
  NATS_INBOX_PREFIX: z
    .string()
    .regex(/^_INBOX(\.[A-Za-z0-9_-]+)*$/)
    .optional(),
  /** Subject/stream prefix: a test run or a second stack isolates itself with its own. */
  NATS_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,31}$/)
    .default("sms"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Copies of the event stream a JetStream cluster keeps (1 on a single server; 3 on the
   * production 3-node cluster, so losing a node loses nothing). Applied at every start.
   */
  STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /**
   * The most the event stream keeps (bytes, or a quantity like `7Gi`); past it JetStream drops
   * the oldest events (they reached Postgres long ago). Sized from the measured bytes per
   * message (docs/runbook.md, "Capacity"); the default fits this machine and k8s's 10 GiB volume.
   */
  STREAM_MAX_BYTES: z
    .string()
    .default("4Gi")
    .transform((text, ctx) => {
      const bytes = parseBytes(text);
      if (bytes === undefined || bytes < 1024 * 1024) {
        ctx.addIssue({
          code: "custom",
          message: "bytes (at least 1Mi): a number or 512Mi, 7Gi, 1Ti",
        });
        return z.NEVER;
      }
      return bytes;
    }),
  /**
   * Database migrations: `true` applies them at start (local runs and tests); `false` waits
   * until another applied them (Kubernetes: the init container, under the schema owner's
   * role); `only` applies them and exits (that init container's command).
   */
  MIGRATE: z.enum(["true", "false", "only"]).default("true"),
  /** Connections in the service's Postgres pool (times replicas: within the pooler's limit). */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * Named prepared statements (postgres.js's default). PgBouncer in transaction mode keeps them
   * from 1.21 on (`max_prepared_statements`, as the CloudNativePG Pooler sets it); turn them off
   * for a pooler that does not (ADR 0014).
   */
  DATABASE_PREPARE: Flag.default(true),
  /** How long a service with MIGRATE=false waits for its schema's migrations. */
  MIGRATE_WAIT_MS: z.coerce.number().int().min(0).default(300_000),
  /**
   * A consumer with a short queue waits this long before starting a batch when, at the
   * last second's rate, more is expected meanwhile, so that it shares the batch's
   * transaction, its round of acks and every wake-up downstream (ADR 0025); a trickle
   * starts at once. 0 = off.
   */
  CONSUMER_LINGER_MS: z.coerce.number().int().min(0).max(100).default(20),
  /**
   * A JetStream publish waits this long for its PubAck, and transient failures (a leader
   * election, a reconnect) are retried for this long under the same Nats-Msg-Id, so a retry
   * is stored once. Tests shorten them; past both, the outcome is unknown (ADR 0022).
   */
  PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(50).default(5_000),
  PUBLISH_RETRY_MS: z.coerce.number().int().min(0).default(8_000),
});
export type BaseEnv = z.infer<typeof BaseEnv>;

const UNITS: Record<string, number> = { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Bytes from `1048576` or a Kubernetes-style binary quantity (`512Mi`, `7Gi`); else undefined. */
export function parseBytes(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(text.trim());
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * (UNITS[match[2] ?? ""] ?? 1));
}

/** An env port number, 0 meaning "any free port" (tests). */
export const Port = z.coerce.number().int().min(0).max(65535);

/** A variable holding JSON, parsed and then validated by `schema`; `fallback` when unset. */
export function JsonEnv<S extends z.ZodType>(schema: S, fallback: unknown) {
  return z
    .string()
    .default(JSON.stringify(fallback))
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: "custom", message: "not valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/**
 * Parses the environment with a service's schema, failing fast with one line per
 * problem (the variable and what is wrong), never a stack of zod internals.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    return `  ${name}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
}
