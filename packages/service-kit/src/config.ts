import { z } from "zod";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Settings every service shares. Defaults fit the local machine. */
export const BaseEnv = z.object({
  NATS_URL: z.string().min(1).default("nats://127.0.0.1:4222"),
  DATABASE_URL: z.string().min(1).default("postgres://postgres@127.0.0.1:5432/smsgw"),
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
   * A consumer with a small queue waits this long before starting a batch, so that the
   * events arriving meanwhile share its transaction and its round of acks: under steady
   * load, batches of one or two cost a round trip each (docs/performance.md). 0 = off.
   */
  CONSUMER_LINGER_MS: z.coerce.number().int().min(0).max(100).default(3),
});
export type BaseEnv = z.infer<typeof BaseEnv>;

/** An env port number, 0 meaning "any free port" (tests). */
export const Port = z.coerce.number().int().min(0).max(65535);

/** "true"/"false"/"1"/"0" — z.coerce.boolean() would read "false" as true. */
export const Flag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

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
