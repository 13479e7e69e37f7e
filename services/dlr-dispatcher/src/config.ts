import { BaseEnv, Flag, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";

const Millis = z.coerce.number().int().positive();
const Count = z.coerce.number().int().positive();

export const DlrDispatcherEnv = BaseEnv.extend({
  HEALTH_PORT: Port.default(8084),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** Allow callback URLs on loopback/private/link-local addresses (the local stack, tests). */
  WEBHOOK_ALLOW_PRIVATE: Flag.default(false),
  /** Deadline of one POST, from connect to the answer's headers. */
  WEBHOOK_TIMEOUT_MS: Millis.default(5_000),
  /** Back-off doubles from 1 s up to this. */
  WEBHOOK_RETRY_CAP_MS: Millis.default(5 * 60_000),
  /** A report is retried until this long after its status change, then given up. */
  WEBHOOK_RETRY_WINDOW_MS: Millis.default(24 * 60 * 60_000),
  /** Status changes taken in one batch; their attempts run concurrently. */
  WEBHOOK_BATCH: Count.default(128),
  /** Batches in flight at once, so a batch waiting on a slow endpoint does not block the next. */
  WEBHOOK_CONCURRENCY: Count.default(8),
});
export type DlrDispatcherConfig = z.output<typeof DlrDispatcherEnv>;

export function loadDlrDispatcherConfig(
  env: Record<string, string | undefined> = process.env,
): DlrDispatcherConfig {
  return loadConfig(DlrDispatcherEnv, env);
}
