import { changesOf, type InboundDelivery, type StatusChangeDelivery } from "@smsgw/contracts";
import { ACK, type Delivery, nak, type Outcome } from "@smsgw/service-kit";
import type { Job, JobStore } from "../db/jobs.ts";
import { isolationKey } from "../domain/endpoint.ts";
import { type ErasedIds, withErasures } from "../domain/erasure.ts";
import { addressInbound, shouldReport } from "../domain/report.ts";
import { ACCOUNT_WAIT_MS } from "./deliver.ts";

type FreshJob = Omit<Job, "attempts">;

export interface IntakeDeps {
  store: JobStore;
  poke(): void;
  now(): Date;
  /** When set, fresh reports are attempted at once and only the ones that must wait are recorded. */
  fastPath?: (jobs: readonly FreshJob[]) => Promise<void>;
  /** Messages this process knows erased: their fresh reports go out masked (inbound: not at all). */
  erased?: ErasedIds;
}

/**
 * The consumer's handler: a batch of status changes (single ones and StatusChangeBatch
 * envelopes from the event store, one unit each) becomes a batch of jobs in one
 * insert, and the changes are acked once it commits (returning nothing acks them all; a
 * failed insert throws and JetStream redelivers the batch). With the fast path, the
 * batch's reports are first attempted at once, for at most its budget, and only those
 * that must wait are recorded (handlers/fast-path.ts).
 */
export function handleStatusChanges(deps: IntakeDeps) {
  const take = takeJobs(deps);
  return async (batch: Delivery<StatusChangeDelivery>[]): Promise<undefined> => {
    const jobs: FreshJob[] = [];
    for (const change of batch.flatMap(({ value }) => changesOf(value))) {
      if (!shouldReport(change)) continue;
      jobs.push({
        messageId: change.messageId,
        sequence: change.sequence,
        accountId: change.accountId,
        origin: isolationKey(change.callbackUrl),
        change,
      });
    }
    await take(jobs);
    return undefined;
  };
}

/**
 * Inbound messages for their accounts' webhooks (`<p>.inbound.deliver`): the same jobs as
 * reports — one per inbound id (sequence 0), the same fast path, retries and per-origin
 * isolation — so an inbound message is signed and retried exactly as a delivery report.
 */
export function handleInboundDeliveries(
  deps: IntakeDeps & {
    /** The account (accounts KV): its default callback URL serves a number without an inboundUrl. */
    accountOf(accountId: string): { defaultCallbackUrl?: string | null | undefined } | undefined;
  },
) {
  const take = takeJobs(deps);
  return async (batch: Delivery<InboundDelivery>[]): Promise<Outcome[]> => {
    const jobs: FreshJob[] = [];
    const outcomes: Outcome[] = [];
    for (const { value } of batch) {
      const account = deps.accountOf(value.accountId);
      // Its URL is the account's default, and the account is not in the cache yet: later.
      if (value.url === null && !account) {
        outcomes.push(nak(ACCOUNT_WAIT_MS));
        continue;
      }
      outcomes.push(ACK);
      const addressed = addressInbound(value, account?.defaultCallbackUrl);
      if (!addressed) continue;
      jobs.push({
        messageId: addressed.id,
        sequence: 0,
        accountId: addressed.accountId,
        origin: isolationKey(addressed.url),
        change: addressed,
      });
    }
    await take(jobs);
    return outcomes;
  };
}

function takeJobs(deps: IntakeDeps) {
  return async (fresh: readonly FreshJob[]): Promise<void> => {
    const { erased } = deps;
    const now = deps.now().getTime();
    // A report of a message erased before it came goes out as the message now is (ADR 0021).
    const jobs = erased?.size ? withErasures(fresh, (id) => erased.has(id, now)) : fresh;
    if (jobs.length > 0 && deps.fastPath) {
      await deps.fastPath(jobs);
    } else if (jobs.length > 0) {
      await deps.store.insert(jobs, deps.now());
      deps.poke();
    }
  };
}
