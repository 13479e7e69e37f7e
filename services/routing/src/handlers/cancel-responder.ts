import { CancelRequest, type CancelResponse } from "@smsgw/contracts";
import { type Logger, type Nats, startResponder } from "@smsgw/service-kit";
import type { ScheduleStore } from "../db/schedule-store.ts";

export interface CancelResponderDeps {
  nc: Nats["nc"];
  subject: string;
  store: Pick<ScheduleStore, "requestCancel">;
  log: Logger;
  now(): Date;
  /** Told after a cancel: the schedule's timer publishes the failure at once. */
  onCanceled(): void;
}

/**
 * `POST /v1/messages/{id}/cancel` as ingress forwards it (ADR 0030): the account's scheduled
 * message is canceled if no replica has taken it to be sent yet; asked again, the same answer.
 */
export function startCancelResponder(deps: CancelResponderDeps): { stop(): Promise<void> } {
  async function answer(request: CancelRequest): Promise<CancelResponse> {
    const outcome = await deps.store.requestCancel(
      request.accountId,
      request.messageId,
      deps.now(),
    );
    if (outcome === "canceled") {
      deps.log.info({ messageId: request.messageId }, "scheduled message canceled");
      deps.onCanceled();
    }
    return { outcome };
  }

  return startResponder({
    nc: deps.nc,
    subject: deps.subject,
    queue: "routing",
    schema: CancelRequest,
    log: deps.log,
    what: "cancel",
    answer,
    refuse: (reason): CancelResponse => ({ outcome: "error", reason }),
  });
}
