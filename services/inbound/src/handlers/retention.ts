import { RETENTION_POLICY_KEY, RetentionPolicy } from "@smsgw/contracts";
import { type EraseNotifier, errorMessage, type Logger, startPeriodic } from "@smsgw/service-kit";
import type { ErasureStore } from "../db/erasure-store.ts";
import { retentionPlan } from "../domain/erasure.ts";
import { inboundErased } from "../metrics.ts";

/** What this needs of the event store's retention bucket (service-kit's openBucket gives it). */
export interface PolicyBucket {
  get(key: string): Promise<{ operation: string; json(): unknown } | null>;
}

export interface InboundRetentionOptions {
  erasure: Pick<ErasureStore, "dueForRetention" | "erase" | "notices">;
  /** The retention the event store publishes (ADR 0021, amendment 2). */
  bucket: PolicyBucket;
  /** Messages erased per transaction; a run goes on while a batch comes back full. */
  batch: number;
  maxBatches: number;
  /** Tells the dispatcher and the SMPP server, whose copies waiting for delivery go too. */
  notifyErased: EraseNotifier;
  /** The stream's first sequence: older copies are gone already and are not queued. */
  streamFloor?(): Promise<number>;
  /** After messages were erased: the stream eraser tries their copies at once. */
  onErased?(): void;
  log: Logger;
  now(): Date;
}

/**
 * One run of the inbound retention job: erases, as the event store does its messages, the MO
 * whose account's retention is over, by the days the event store publishes — so an account's
 * text and numbers go after the same days whichever way they travelled. With no policy
 * published yet (the event store never ran), nothing is erased: too late, never too early.
 * First, the erasure notices not stored yet (`erase_notices`) are sent again.
 */
export async function runInboundRetention(options: InboundRetentionOptions): Promise<number> {
  // The notices of erasures done before whose publish failed or never came (a crash after
  // the commit): `erased_at` keeps those MO out of every later run, so without this the
  // dispatcher and the SMPP server would deliver their text and sender until they expire.
  const { notices } = options.erasure;
  await notices.resendBeforeRun(options.notifyErased, options, options.log);
  const entry = await options.bucket.get(RETENTION_POLICY_KEY);
  const parsed = entry?.operation === "PUT" ? RetentionPolicy.safeParse(entry.json()) : undefined;
  if (!parsed?.success) {
    options.log.warn("no retention policy from the event store yet; nothing erased this run");
    return 0;
  }
  const plan = retentionPlan(parsed.data, options.now());
  let erased = 0;
  for (let i = 0; i < options.maxBatches; i++) {
    const due = await options.erasure.dueForRetention(plan, options.batch);
    const streamFloor = due.length > 0 && options.streamFloor ? await options.streamFloor() : 0;
    const ids = await options.erasure.erase(due, options.now(), { streamFloor });
    await notices.send(ids, options.notifyErased);
    erased += ids.length;
    if (due.length < options.batch) break;
  }
  if (erased > 0) {
    options.onErased?.();
    inboundErased.inc({ reason: "retention" }, erased);
    options.log.info({ erased }, "retention: inbound messages erased");
  }
  return erased;
}

/** Runs it every `intervalMs`, one run at a time. */
export function startInboundRetention(options: InboundRetentionOptions & { intervalMs: number }): {
  stop(): Promise<void>;
} {
  return startPeriodic({
    everyMs: options.intervalMs,
    run: () => runInboundRetention(options),
    onError: (error) =>
      options.log.error({ err: errorMessage(error) }, "inbound retention run failed"),
  });
}
