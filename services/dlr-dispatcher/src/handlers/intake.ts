import { originOf, parseCallbackUrl } from "@smsgw/callback-guard";
import { changesOf, type StatusChangeDelivery } from "@smsgw/contracts";
import type { Delivery } from "@smsgw/service-kit";
import type { Job, JobStore } from "../db/jobs.ts";
import { shouldReport } from "../domain/report.ts";

/**
 * The consumer's handler: a batch of status changes (single ones and StatusChangeBatch
 * envelopes from the event store, one unit each) becomes a batch of jobs in one
 * insert, and the changes are acked once it commits (returning nothing acks them all; a
 * failed insert throws and JetStream redelivers the batch). With the fast path, the
 * batch's reports are first attempted at once, for at most its budget, and only those
 * that must wait are recorded (handlers/fast-path.ts).
 */
export function handleStatusChanges(deps: {
  store: JobStore;
  poke(): void;
  now(): Date;
  /** When set, fresh reports are attempted at once and only the ones that must wait are recorded. */
  fastPath?: (jobs: readonly Omit<Job, "attempts">[]) => Promise<void>;
}) {
  return async (batch: Delivery<StatusChangeDelivery>[]): Promise<undefined> => {
    const jobs: Omit<Job, "attempts">[] = [];
    for (const change of batch.flatMap(({ value }) => changesOf(value))) {
      if (!shouldReport(change)) continue;
      jobs.push({
        messageId: change.messageId,
        sequence: change.sequence,
        accountId: change.accountId,
        origin: originKey(change.callbackUrl),
        change,
      });
    }
    if (jobs.length > 0 && deps.fastPath) {
      await deps.fastPath(jobs);
    } else if (jobs.length > 0) {
      await deps.store.insert(jobs, deps.now());
      deps.poke();
    }
    return undefined;
  };
}

/** The isolation key; a URL that does not parse still becomes a job, so its refusal is recorded. */
export function originKey(callbackUrl: string): string {
  const parsed = parseCallbackUrl(callbackUrl);
  return parsed.ok ? originOf(parsed.url) : "(invalid)";
}
