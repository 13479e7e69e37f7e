import { BaseEnv, Flag, loadConfig, Port } from "@smsgw/service-kit";
import { z } from "zod";

const Millis = z.coerce.number().int().positive();
const Count = z.coerce.number().int().positive();

export const DlrDispatcherEnv = BaseEnv.extend({
  HEALTH_PORT: Port.default(8084),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** Allow callback URLs on loopback/private/link-local addresses (the local stack, tests). */
  WEBHOOK_ALLOW_PRIVATE: Flag.default(false),
  /** Deadline of one attempt: lookup, connect, TLS and the answer's headers. */
  WEBHOOK_TIMEOUT_MS: Millis.default(5_000),
  /** Back-off doubles from 1 s up to this (a report's, and a failing origin's). */
  WEBHOOK_RETRY_CAP_MS: Millis.default(5 * 60_000),
  /** A report is retried until this long after its status change (a last attempt at the end), then given up. */
  WEBHOOK_RETRY_WINDOW_MS: Millis.default(24 * 60 * 60_000),
  /** Status changes taken from JetStream in one batch (one insert). */
  WEBHOOK_BATCH: Count.default(256),
  /** Attempts in flight in total. */
  WEBHOOK_CONCURRENCY: Count.default(256),
  /**
   * Fast path: fresh reports are attempted at once, and an attempt still running after this
   * long goes to the durable queue (its origin is slow: its other reports of the batch too).
   * 0 = every report is queued first (one insert, one claim, one delete per report).
   */
  WEBHOOK_FAST_PATH_MS: z.coerce.number().int().nonnegative().default(250),
  /**
   * Fast path: how long a report may wait in memory (its status change unacked) for a free
   * slot of an origin that answers in time, before it goes to the durable queue instead.
   */
  WEBHOOK_HOLD_MS: z.coerce.number().int().nonnegative().max(20_000).default(5_000),
  /** Attempts in flight to one endpoint (scheme, host, port, path: the isolation key)… */
  WEBHOOK_ORIGIN_CONCURRENCY: Count.default(32),
  /**
   * …and at most this for one that keeps them all busy and answers within 500 ms (one more
   * slot per such attempt; a quarter less per round of slower ones; back to
   * WEBHOOK_ORIGIN_CONCURRENCY when it fails or turns slow): an endpoint's throughput is its slots ÷ its latency. Never above
   * WEBHOOK_CONCURRENCY; at most WEBHOOK_ORIGIN_CONCURRENCY turns growth off.
   */
  WEBHOOK_ORIGIN_MAX_CONCURRENCY: Count.default(128),
  /**
   * Attempts in flight to the endpoints of one host (scheme, host and port: every path of it)
   * together, each within its own share; default half of WEBHOOK_CONCURRENCY. A customer who
   * puts the message id in the callback path makes each report a new endpoint, unknown to be
   * slow: on a slow or dead host those still hold at most this many slots, and the other
   * hosts' reports keep the rest.
   */
  WEBHOOK_HOST_CONCURRENCY: Count.optional(),
  /**
   * An origin whose attempt takes longer than this is slow until one ends within it: it runs
   * an eighth of WEBHOOK_ORIGIN_CONCURRENCY at most, and the slow origins together half of
   * WEBHOOK_CONCURRENCY, so that slow endpoints never hold every slot.
   */
  WEBHOOK_SLOW_MS: Millis.default(1_000),
});

/** The defaults that follow another setting. */
const WithDerivedDefaults = DlrDispatcherEnv.transform((env) => ({
  ...env,
  WEBHOOK_HOST_CONCURRENCY:
    env.WEBHOOK_HOST_CONCURRENCY ?? Math.max(1, Math.floor(env.WEBHOOK_CONCURRENCY / 2)),
}));
export type DlrDispatcherConfig = z.output<typeof WithDerivedDefaults>;

export function loadDlrDispatcherConfig(
  env: Record<string, string | undefined> = process.env,
): DlrDispatcherConfig {
  return loadConfig(WithDerivedDefaults, env);
}
