import type { MessageEvent } from "@smsgw/contracts";
import { type Logger, nak, type Outcome } from "@smsgw/service-kit";
import { failureStep, needsLookup } from "../domain/redelivery.ts";

/**
 * What the failure gate needs: of these (message, attempt) pairs, the messages whose record
 * shows a later attempt (the read model's `laterAttemptsAmong`), and how long to wait for one.
 */
export interface FailureGate {
  laterAttempts(asked: ReadonlyArray<{ messageId: string; attempt: number }>): Promise<Set<string>>;
  policy: { waitMs: number; waits: number };
}

export interface PendingFailure {
  /** The delivery (or claimed row) it answers: its outcome is set here. */
  index: number;
  deliveryCount: number;
  /** The attempt the decision was made after (0: before the first order). */
  attempt: number;
  event: MessageEvent;
}

/**
 * The failures that may be published (domain/redelivery.ts): those of first deliveries at once;
 * a redelivery's after one look-up for the lot, dropped (acked) when a later attempt shows,
 * or waited for (nak) while the order may still be on its way. Only redeliveries that decide
 * "fail" pay the look-up.
 */
export async function passFailures(
  gate: FailureGate,
  pending: readonly PendingFailure[],
  outcomes: Outcome[],
  log: Logger,
): Promise<MessageEvent[]> {
  const asked = pending
    .filter((p) => needsLookup(p.deliveryCount))
    .map((p) => ({ messageId: p.event.messageId, attempt: p.attempt }));
  const later = asked.length > 0 ? await gate.laterAttempts(asked) : new Set<string>();
  const passed: MessageEvent[] = [];
  for (const p of pending) {
    const seen = needsLookup(p.deliveryCount) ? later.has(p.event.messageId) : undefined;
    const step = failureStep({
      deliveryCount: p.deliveryCount,
      laterAttemptSeen: seen,
      policy: gate.policy,
    });
    if (step.kind === "publish") passed.push(p.event);
    else if (step.kind === "wait") outcomes[p.index] = nak(step.delayMs);
    else
      log.warn(
        { messageId: p.event.messageId, attempt: p.attempt },
        "redelivered failure dropped: a later attempt was ordered",
      );
  }
  return passed;
}
