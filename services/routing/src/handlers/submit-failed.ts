import type { EventOf } from "@smsgw/contracts";
import type { Delivery, EventPublisher, Logger } from "@smsgw/service-kit";
import { decideAfterSubmitFailure } from "../domain/decide.ts";
import { failedEvent } from "../domain/events.ts";

export interface SubmitFailedDeps {
  publisher: EventPublisher;
  log: Logger;
  now(): Date;
}

/** A carrier refused a submit: decide what follows (for now: the message fails), publish, ack. */
export function handleSubmitFailed(deps: SubmitFailedDeps) {
  return async (batch: Delivery<EventOf<"SubmitFailed">>[]): Promise<undefined> => {
    const now = deps.now();
    const events = batch.map(({ value: failure }) => {
      const decision = decideAfterSubmitFailure(failure.data);
      deps.log.debug({ messageId: failure.messageId, detail: decision.detail }, "submit failed");
      return failedEvent(failure, decision, now);
    });
    await deps.publisher.publishAll(events);
    return undefined;
  };
}
