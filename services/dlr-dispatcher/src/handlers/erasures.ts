import type { MessagesErased } from "@smsgw/contracts";
import type { Delivery } from "@smsgw/service-kit";
import type { JobStore } from "../db/jobs.ts";

/**
 * `MessagesErased` (`<p>.status.erased`, ADR 0021): the reports of those messages still
 * waiting in the jobs table keep the number masked, as the event store now keeps it.
 */
export function handleErasures(store: Pick<JobStore, "eraseNumbers">) {
  return async (batch: Delivery<MessagesErased>[]): Promise<undefined> => {
    await store.eraseNumbers(batch.flatMap(({ value }) => value.messageIds));
    return undefined;
  };
}
