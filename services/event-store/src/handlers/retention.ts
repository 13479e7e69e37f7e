import { type EraseNotifier, errorMessage, type Logger, startPeriodic } from "@smsgw/service-kit";
import type postgres from "postgres";
import { eraseMessages, eraseNotices, findMessagesPastRetention } from "../db/erasure.ts";
import { messagesErased } from "../metrics.ts";
import type { RetentionPolicyPublisher } from "./retention-policy.ts";

export interface RetentionOptions {
  sql: postgres.Sql;
  log: Logger;
  /** RETENTION_DAYS: after the final status, for accounts the operator set nothing for. */
  defaultDays: number;
  /** Messages erased per statement at most; a run goes on while a batch comes back full. */
  batch: number;
  /** Batches per run at most, so one run never holds the pool for long. */
  maxBatches: number;
  now(): Date;
  notifyErased: EraseNotifier;
  /**
   * The stream's first sequence: copies below it are gone, so erasing messages older than
   * the stream's window queues nothing for the stream eraser (ADR 0021). Default: 0.
   */
  streamFloor?(): Promise<number>;
  /** Told after a run erased messages: their stream copies are queued. */
  onErased?(): void;
  /** Puts the retention in force where the inbound service reads it (ADR 0021, amendment 2). */
  publishPolicy: RetentionPolicyPublisher;
}

/**
 * One run of the retention job (ADR 0021): erases, as `POST /v1/messages/{id}/redact` does,
 * the messages whose retention is over, a bounded number of batches, after sending again the
 * erasure notices not stored yet (`erase_notices`). Returns how many it erased.
 */
export async function runRetention(options: RetentionOptions): Promise<number> {
  await publishPolicy(options);
  // The notices of erasures done before whose publish failed or never came (a crash after
  // the commit): `redacted_at` keeps those messages out of every later run, so without this
  // the dispatcher and the SMPP server would send their real number until their copies expire.
  const notices = eraseNotices(options.sql);
  await notices.resendBeforeRun(options.notifyErased, options, options.log);
  let erased = 0;
  for (let i = 0; i < options.maxBatches; i++) {
    const due = await findMessagesPastRetention(options.sql, {
      now: options.now(),
      defaultDays: options.defaultDays,
      limit: options.batch,
    });
    const floor = due.length > 0 && options.streamFloor ? await options.streamFloor() : 0;
    const ids = await eraseMessages(options.sql, due, options.now(), floor);
    await notices.send(ids, options.notifyErased);
    erased += ids.length;
    if (due.length < options.batch) break;
  }
  if (erased > 0) {
    options.onErased?.();
    messagesErased.inc({ reason: "retention" }, erased);
    options.log.info({ erased }, "retention: messages erased");
  }
  return erased;
}

/**
 * Runs the retention job every `intervalMs` (one run at a time, the first after one interval);
 * the policy is published at once too, so the inbound service has it from the start.
 */
export function startRetention(options: RetentionOptions & { intervalMs: number }): {
  stop(): Promise<void>;
} {
  const first = publishPolicy(options);
  const job = startPeriodic({
    everyMs: options.intervalMs,
    run: () => runRetention(options),
    onError: (error) => options.log.error({ err: errorMessage(error) }, "retention run failed"),
  });
  return {
    async stop() {
      await job.stop();
      await first;
    },
  };
}

/** A policy not published is not a failed run: the erasure goes on, the next run puts it. */
async function publishPolicy(options: RetentionOptions): Promise<void> {
  await options.publishPolicy().catch((error: unknown) => {
    options.log.warn(
      { err: errorMessage(error) },
      "retention policy not published; next run retries",
    );
  });
}
