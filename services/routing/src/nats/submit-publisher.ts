import type { Subjects, SubmitOrder } from "@smsgw/contracts";
import {
  contextFromEnvelope,
  createWindow,
  eventsPublished,
  type Nats,
  publishWithRetry,
  traceHeaders,
} from "@smsgw/service-kit";

/** Hands submit orders to the carriers' connectors on `<p>.submit.<carrier>` (ADR 0009). */
export interface SubmitPublisher {
  /** Resolves when JetStream stored every order (or recognised it as a duplicate). */
  publishAll(orders: readonly SubmitOrder[]): Promise<void>;
}

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
    try {
      // Nats-Msg-Id = `<messageId>:submit:<attempt>`: a handler that runs twice, or a
      // publish retried after a lost ack, hands the attempt over once.
      await publishWithRetry(js, subject, body, {
        msgID: order.orderId,
        timeout,
        retryForMs,
        ...(headers ? { headers } : {}),
      });
      eventsPublished.inc({ kind: "SubmitOrder", result: "ok" });
    } catch (error) {
      eventsPublished.inc({ kind: "SubmitOrder", result: "error" });
      throw error;
    }
  }

  return {
    async publishAll(orders) {
      await Promise.all(orders.map((order) => window.run(() => publish(order))));
    },
  };
}
