import type { NatsConnection } from "@nats-io/transport-node";
import type { Subjects } from "@smsgw/contracts";
import type { Logger } from "@smsgw/service-kit";
import { startOptOutList } from "./opt-outs.ts";
import { startOwnedNumbers } from "./owned-numbers.ts";
import { startApprovedSenderIds } from "./sender-ids.ts";

/** The inbound service's lists every door checks a send against, from memory (the pipeline's deps). */
export interface DoorLists {
  optedOut(accountId: string, e164: string): boolean;
  ownsNumber(accountId: string, number: string): boolean;
  senderApproved(accountId: string, sender: string): boolean;
  stop(): Promise<void>;
}

/**
 * Opens the opt-out, owned-number and sender-ID caches (each loaded before it resolves, kept
 * current by a watch) for a door (ingress, smpp-server); one that fails closes the others.
 */
export async function startDoorLists(
  nc: NatsConnection,
  subjects: Pick<Subjects, "optOutsBucket" | "numbersBucket" | "senderIdsBucket">,
  log: Logger,
): Promise<DoorLists> {
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const optOuts = await startOptOutList(nc, subjects.optOutsBucket, log);
    started.push(optOuts);
    const numbers = await startOwnedNumbers(nc, subjects.numbersBucket, log);
    started.push(numbers);
    const senders = await startApprovedSenderIds(nc, subjects.senderIdsBucket, log);
    started.push(senders);
    return {
      optedOut: optOuts.optedOut,
      ownsNumber: numbers.owns,
      senderApproved: senders.approved,
      async stop() {
        await Promise.all(started.map((list) => list.stop()));
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((list) => list.stop()));
    throw error;
  }
}
