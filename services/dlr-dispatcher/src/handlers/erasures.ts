import type { MessagesErased } from "@smsgw/contracts";
import type { Delivery } from "@smsgw/service-kit";
import type { JobStore } from "../db/jobs.ts";
import { type ErasedIds, idsToRemember } from "../domain/erasure.ts";

/**
 * `MessagesErased` (`<p>.status.erased`, ADR 0021): the reports of those messages still
 * waiting in the jobs table keep the number masked, as the event store now keeps it; the
 * ids are noted (in memory for this process's fast path, in `erased_messages` for every
 * insert) for the retry window, so that a report of theirs that comes in later is masked too.
 */
export function handleErasures(deps: {
  store: Pick<JobStore, "eraseNumbers">;
  erased: ErasedIds;
  now(): Date;
  /** How long an erased id is remembered: the retry window. */
  keepMs: number;
}) {
  return async (batch: Delivery<MessagesErased>[]): Promise<undefined> => {
    const ids = batch.flatMap(({ value }) => value.messageIds);
    const now = deps.now().getTime();
    const remember = idsToRemember(ids, now);
    deps.erased.add(remember, now);
    await deps.store.eraseNumbers(ids, { remember, forgetBefore: new Date(now - deps.keepMs) });
    return undefined;
  };
}
