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
 * each under a digest of its ids (a retried run is stored once). The event store and the
 * inbound service keep the ids of a notice not stored yet in their erasure's transaction
 * (`eraseNoticeTable`, `<schema>.erase_notices`) and send it again (a redact asked again, an
 * erase-number redelivered, the next retention run) until it is; a holder takes a notice twice
 * harmlessly.
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
