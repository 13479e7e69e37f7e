import { ERASED_BATCH_MAX, type MessagesErased, type Subjects } from "@smsgw/contracts";
import type { Nats } from "./connect.ts";
import { eventBatchId, publishWithRetry } from "./publisher.ts";

/**
 * Tells the other holders of a copy which messages were erased (ADR 0021): the event store
 * for sent messages, the inbound service for MO (`in_` ids, amendment 2).
 */
export type EraseNotifier = (messageIds: readonly string[]) => Promise<void>;

/**
 * Publishes `MessagesErased` on `<p>.status.erased` after the erasure committed, in chunks,
 * each under a digest of its ids (a retried run is stored once). A notice lost to a crash
 * between the commit and the publish leaves the dispatcher's or SMPP server's copy to expire
 * by itself (24 and 72 hours at most).
 */
export function createEraseNotifier(js: Nats["js"], subjects: Subjects): EraseNotifier {
  return async (messageIds) => {
    for (let i = 0; i < messageIds.length; i += ERASED_BATCH_MAX) {
      const chunk = messageIds.slice(i, i + ERASED_BATCH_MAX);
      const notice: MessagesErased = { type: "MessagesErased", version: 1, messageIds: chunk };
      await publishWithRetry(js, subjects.messagesErased, JSON.stringify(notice), {
        msgID: `erased:${eventBatchId(chunk)}`,
        retryForMs: 8_000,
      });
    }
  };
}
