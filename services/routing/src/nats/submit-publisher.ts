import type { Subjects, SubmitOrder } from "@smsgw/contracts";
import {
  contextFromEnvelope,
  createWindow,
  eventsPublished,
  type Nats,
  traceHeaders,
} from "@smsgw/service-kit";

/** Hands submit orders to the carriers' connectors on `<p>.submit.<carrier>` (ADR 0009). */
export interface SubmitPublisher {
  /** Resolves when JetStream stored every order (or recognised it as a duplicate). */
  publishAll(orders: readonly SubmitOrder[]): Promise<void>;
}

/** A stream without a leader for a moment, or a reconnecting connection: worth another try. */
const TRANSIENT = /no responders|not enabled|timeout|timed out|503|disconnect|reconnect/i;

export function createSubmitPublisher(
  js: Nats["js"],
  subjects: Subjects,
  options: { maxInFlight?: number; timeoutMs?: number; retryForMs?: number } = {},
): SubmitPublisher {
  const window = createWindow(options.maxInFlight ?? 256);
  const timeout = options.timeoutMs ?? 5_000;
  // Long enough to ride out a leader election (as the event publisher does).
  const retryForMs = options.retryForMs ?? 8_000;

  async function publish(order: SubmitOrder): Promise<void> {
    const body = JSON.stringify(order);
    const subject = subjects.submit(order.data.carrierId);
    const headers = traceHeaders(contextFromEnvelope(order.trace));
    const giveUpAt = Date.now() + retryForMs;
    for (let pause = 100; ; pause = Math.min(pause * 2, 1_000)) {
      try {
        // Nats-Msg-Id = `<messageId>:submit:<attempt>`: a handler that runs twice, or a
        // publish retried after a lost ack, hands the attempt over once.
        await js.publish(subject, body, {
          msgID: order.orderId,
          timeout,
          ...(headers ? { headers } : {}),
        });
        eventsPublished.inc({ kind: "SubmitOrder", result: "ok" });
        return;
      } catch (error) {
        const transient = TRANSIENT.test(String((error as Error | null)?.message ?? error));
        if (!transient || Date.now() + pause > giveUpAt) {
          eventsPublished.inc({ kind: "SubmitOrder", result: "error" });
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  return {
    async publishAll(orders) {
      await Promise.all(orders.map((order) => window.run(() => publish(order))));
    },
  };
}
