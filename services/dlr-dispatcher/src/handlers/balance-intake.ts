import type { AccountBalanceLow } from "@smsgw/contracts";
import type { Delivery } from "@smsgw/service-kit";
import type { Job, JobStore } from "../db/jobs.ts";
import { shouldSendBalance } from "../domain/balance-report.ts";
import { isolationKey } from "../domain/endpoint.ts";

/**
 * Pricing's balance warnings (`<p>.status.balance_low`) become jobs of the same queue as
 * delivery reports (ADR 0020): signed with the account's secrets, retried with the same
 * back-off and isolated per origin by the same scheduler. Keyed by the warning's id (as a
 * report by its message id and sequence), so a redelivered warning is recorded once. Rare,
 * so no fast path: recorded, acked, then attempted by the scheduler at once.
 */
export function handleBalanceWarnings(deps: { store: JobStore; poke(): void; now(): Date }) {
  return async (batch: Delivery<AccountBalanceLow>[]): Promise<undefined> => {
    const jobs: Omit<Job, "attempts">[] = [];
    for (const { value: warning } of batch) {
      if (!shouldSendBalance(warning)) continue;
      jobs.push({
        messageId: warning.eventId,
        sequence: 0,
        accountId: warning.accountId,
        origin: isolationKey(warning.callbackUrl),
        change: warning,
      });
    }
    if (jobs.length > 0) {
      await deps.store.insert(jobs, deps.now());
      deps.poke();
    }
    return undefined;
  };
}
