import { errorMessage, type Logger } from "@smsgw/service-kit";
import type { InboundMessage, MessageStore } from "../db/messages-store.ts";
import { groupAddressing } from "../domain/concat.ts";
import type { LateCopy } from "./received.ts";

export interface SweepDeps {
  messages: Pick<
    MessageStore,
    "overdueGroups" | "pruneJoinedParts" | "noteStreamCopies" | "unpublished"
  >;
  /**
   * Joins (or re-checks) one group under its lock (handlers/received.ts `settler`); answers
   * the stream copies it learned (its delivery's), noted once per round.
   */
  settle(
    groupKey: string,
    addressing: { carrierId: string; from: string; to: string },
  ): Promise<LateCopy[]>;
  /**
   * Publishes again an account's message whose delivery was never confirmed
   * (handlers/received.ts `republisher`); answers the copies it learned, as `settle` does.
   */
  republish(message: InboundMessage): Promise<LateCopy[]>;
  concatTimeoutMs: number;
  everyMs: number;
  log: Logger;
  now(): Date;
}

const GROUPS_PER_ROUND = 500;
/**
 * An account's message whose delivery is this long unconfirmed (stored, no PubAck noted) is
 * published again: long past a consumer batch's publish and note, well inside the stream's
 * 5-minute de-duplication window, so a publish that did go through is not stored twice.
 */
export const REPUBLISH_AFTER_MS = 30_000;
/** Joined parts are kept this long (to recognise a redelivered event), then deleted. */
export const JOINED_PARTS_KEPT_MS = 24 * 60 * 60_000;

/**
 * Every `everyMs`, the groups whose first part is older than the timeout are delivered as they
 * are (what came, in order); an account's message stored `REPUBLISH_AFTER_MS` ago whose
 * delivery no PubAck confirmed is published again (same Nats-Msg-Id); joined parts older than
 * a day are deleted. Replicas may sweep together: each group is settled under its lock and
 * re-checked there, so a group is joined once, and a repeated publish is de-duplicated.
 */
export function startConcatSweep(deps: SweepDeps): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const round = async () => {
    const before = new Date(deps.now().getTime() - deps.concatTimeoutMs);
    const late: LateCopy[] = [];
    try {
      for (const groupKey of await deps.messages.overdueGroups(before, GROUPS_PER_ROUND)) {
        late.push(...(await deps.settle(groupKey, groupAddressing(groupKey))));
      }
      const stored = new Date(deps.now().getTime() - REPUBLISH_AFTER_MS);
      for (const message of await deps.messages.unpublished(stored, GROUPS_PER_ROUND)) {
        // One that keeps failing must not hold back the others: each is tried every round.
        await deps.republish(message).then(
          (copies) => late.push(...copies),
          (error: unknown) =>
            deps.log.warn(
              { id: message.id, err: errorMessage(error) },
              "inbound delivery not published again; next round retries",
            ),
        );
      }
    } finally {
      await deps.messages.noteStreamCopies(late);
    }
    await deps.messages.pruneJoinedParts(new Date(deps.now().getTime() - JOINED_PARTS_KEPT_MS));
  };
  const timer = setInterval(() => {
    if (running) return;
    running = round()
      .catch((error: unknown) =>
        deps.log.warn(
          { err: errorMessage(error) },
          "concatenation sweep failed; next round retries",
        ),
      )
      .finally(() => {
        running = undefined;
      });
  }, deps.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
