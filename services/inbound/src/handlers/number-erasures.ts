import type { NumberErased } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  type EraseNotifier,
  errorMessage,
  type Logger,
  nak,
  type Outcome,
} from "@smsgw/service-kit";
import type { ErasureStore } from "../db/erasure-store.ts";
import { inboundErased } from "../metrics.ts";

export interface NumberErasuresDeps {
  erasure: Pick<ErasureStore, "ofNumber" | "erase" | "partsWaitingFor" | "notices">;
  /** Parts waiting for their siblings are joined within this (the concatenation timeout and a sweep). */
  joinWithinMs: number;
  /** Tells the dispatcher and the SMPP server, whose copies waiting for delivery go too. */
  notifyErased: EraseNotifier;
  /** The stream's first sequence: older copies are gone already and are not queued. */
  streamFloor?(): Promise<number>;
  /** After messages were erased: the stream eraser tries their copies at once. */
  onErased?(): void;
  /** The delete markers a START left in the opt-out bucket, whose keys hold the number. */
  forgetRemovedOptOuts?(numberSha256: string): Promise<number>;
  log: Logger;
  now(): Date;
}

const BATCH = 500;
/** What waits is sent again before an ack, 500 ids a notice; anything beyond, by retention. */
const RESEND = { batch: BATCH, maxBatches: 20 };

/**
 * The consumer of `<p>.status.number_erased` (the operator's `bin/gw messages erase-number`):
 * every MO from or to that number, the operator's unowned ones included, is erased as
 * retention does it, 500 to a transaction. Parts of that number still waiting for their
 * siblings are not a message yet: the notice comes back once they are joined, and erases that
 * message too. The opt-out bucket's delete markers of the number go as well (a live opt-out
 * stays). Idempotent: a redelivered notice finds nothing left to erase.
 *
 * Each transaction's `MessagesErased` is sent after its commit; one that fails waits in
 * `erase_notices` and the erasing goes on. Before the batch is acked, every notice waiting
 * is sent again: while one fails, the batch is redelivered (and the retention job tries too).
 */
export function handleNumberErased(deps: NumberErasuresDeps) {
  return async (batch: Delivery<NumberErased>[]): Promise<Outcome[]> => {
    const outcomes: Outcome[] = [];
    for (const { value } of batch) {
      let erased = 0;
      for (;;) {
        const ids = await deps.erasure.ofNumber(value.numberSha256, BATCH);
        const streamFloor = ids.length > 0 && deps.streamFloor ? await deps.streamFloor() : 0;
        const done = await deps.erasure.erase(ids, deps.now(), {
          numberSha256: value.numberSha256,
          streamFloor,
        });
        await deps.erasure.notices.send(done, deps.notifyErased).catch((error: unknown) => {
          deps.log.warn(
            { err: errorMessage(error), erased: done.length },
            "erase-number: erasure notice not sent; sent again before the ack",
          );
        });
        erased += done.length;
        if (ids.length < BATCH) break;
      }
      if (erased > 0) {
        deps.onErased?.();
        inboundErased.inc({ reason: "number" }, erased);
      }
      const optOutMarkers = (await deps.forgetRemovedOptOuts?.(value.numberSha256)) ?? 0;
      const waiting = await deps.erasure.partsWaitingFor(value.numberSha256);
      deps.log.info({ erased, waiting, optOutMarkers }, "erase-number: inbound messages erased");
      outcomes.push(waiting ? nak(deps.joinWithinMs) : ACK);
    }
    // Throws while the stream refuses them: the batch comes back and tries again.
    await deps.erasure.notices.resend(deps.notifyErased, RESEND);
    return outcomes;
  };
}
