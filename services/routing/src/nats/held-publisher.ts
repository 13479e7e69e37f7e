import type { EventOf, Subjects } from "@smsgw/contracts";
import {
  contextFromEnvelope,
  eventsPublished,
  type Nats,
  publishWithRetry,
  traceHeaders,
} from "@smsgw/service-kit";
import { heldCopyId } from "../domain/hold.ts";

/**
 * Puts scheduled messages routing found in an envelope on its own held subject
 * (`<p>.routing.held`), each alone, for its `routing-held` durable to hold until due. Not
 * the doors' accepted subject: only the doors may publish acceptances (ADR 0015), and no
 * other service reads this one (a held copy is not an acceptance: nothing logs, charges or
 * counts it).
 */
export interface HeldPublisher {
  /** Resolves when JetStream stored every copy (or recognised it as a duplicate). */
  holdAll(events: readonly EventOf<"MessageAccepted">[]): Promise<void>;
}

export function createHeldPublisher(
  js: Nats["js"],
  subjects: Subjects,
  options: { timeoutMs?: number; retryForMs?: number } = {},
): HeldPublisher {
  const timeout = options.timeoutMs ?? 5_000;
  const retryForMs = options.retryForMs ?? 8_000;
  // Nats-Msg-Id = `<eventId>:held`: an envelope delivered again holds its message once.
  const hold = async (event: EventOf<"MessageAccepted">) => {
    const headers = traceHeaders(contextFromEnvelope(event.trace));
    try {
      await publishWithRetry(js, subjects.routingHeld, JSON.stringify(event), {
        msgID: heldCopyId(event.eventId),
        timeout,
        retryForMs,
        ...(headers ? { headers } : {}),
      });
      eventsPublished.inc({ kind: "HeldMessage", result: "ok" });
    } catch (error) {
      eventsPublished.inc({ kind: "HeldMessage", result: "error" });
      throw error;
    }
  };
  return {
    async holdAll(events) {
      await Promise.all(events.map(hold));
    },
  };
}
