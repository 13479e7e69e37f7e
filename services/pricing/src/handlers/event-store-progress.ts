import { EVENT_STORE_DURABLE } from "@smsgw/contracts";
import type { Nats } from "@smsgw/service-kit";
import { recordCompleteUntil } from "../domain/sweep.ts";

/**
 * The stored time (ms) before which the event store has read, folded and acked every
 * `<p>.evt.>` event (ADR 0024): its durable's ack floor, or the moment of asking when nothing
 * waits. One consumer info, and one message read when there is a backlog; throws when the
 * durable cannot be asked (the sweep step then fails and is retried next run).
 */
export async function eventStoreCaughtUpTo(nats: Nats, stream: string): Promise<number | null> {
  const now = Date.now();
  const info = await nats.jsm.consumers.info(stream, EVENT_STORE_DURABLE);
  const floor = info.ack_floor.stream_seq;
  const busy = info.num_pending + info.num_ack_pending > 0;
  const floorStoredAt =
    busy && floor > 0
      ? await nats.jsm.streams
          .getMessage(stream, { seq: floor })
          .then((message) => message?.time.getTime() ?? null)
          // Erased (ADR 0021) or aged out: the next run's floor tells.
          .catch(() => null)
      : null;
  return recordCompleteUntil({
    now,
    pending: info.num_pending,
    ackPending: info.num_ack_pending,
    floorStoredAt,
  });
}
