import type { NumberErased } from "@smsgw/contracts";
import {
  ACK,
  type Delivery,
  type EraseNotifier,
  type Logger,
  nak,
  type Outcome,
} from "@smsgw/service-kit";
import type { ErasureStore } from "../db/erasure-store.ts";
import { inboundErased } from "../metrics.ts";

export interface NumberErasuresDeps {
  erasure: Pick<ErasureStore, "ofNumber" | "erase" | "partsWaitingFor">;
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

/**
 * The consumer of `<p>.status.number_erased` (the operator's `bin/gw messages erase-number`):
 * every MO from or to that number, the operator's unowned ones included, is erased as
 * retention does it, 500 to a transaction. Parts of that number still waiting for their
 * siblings are not a message yet: the notice comes back once they are joined, and erases that
 * message too. The opt-out bucket's delete markers of the number go as well (a live opt-out
 * stays). Idempotent: a redelivered notice finds nothing left to erase.
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
        await deps.notifyErased(done);
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
    return outcomes;
  };
}
