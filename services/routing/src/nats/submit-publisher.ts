import type { EventBatch, Subjects, SubmitOrder } from "@smsgw/contracts";
import {
  contextFromEnvelope,
  createWindow,
  eventBatchId,
  eventsPublished,
  inChunks,
  type Nats,
  publishWithRetry,
  traceHeaders,
} from "@smsgw/service-kit";

/** Hands submit orders to the carriers' connectors on `<p>.submit.<carrier>` (ADR 0009). */
export interface SubmitPublisher {
  /**
   * Resolves when JetStream stored every order (or recognised it as a duplicate). The orders
   * of one carrier go out together as `EventBatch` envelopes (a chunk of one alone, under its
   * order id): one stored publish, one delivery and one ack for the lot instead of one each.
   */
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

  async function send(
    subject: string,
    msgID: string,
    body: SubmitOrder | EventBatch,
    lead: SubmitOrder,
    count: number,
  ): Promise<void> {
    // The envelope's headers carry its first order's trace; each order keeps its own in `trace`.
    const headers = traceHeaders(contextFromEnvelope(lead.trace));
    try {
      await publishWithRetry(js, subject, JSON.stringify(body), {
        msgID,
        timeout,
        retryForMs,
        ...(headers ? { headers } : {}),
      });
      eventsPublished.inc({ kind: "SubmitOrder", result: "ok" }, count);
    } catch (error) {
      eventsPublished.inc({ kind: "SubmitOrder", result: "error" }, count);
      throw error;
    }
  }

  // Nats-Msg-Id = `<messageId>:submit:<attempt>` alone, a digest of those ids for an
  // envelope: a handler that runs twice, or a publish retried after a lost ack, hands the same
  // orders over once. Should a rerun group them differently, the connector's claims still
  // submit each order once (a second copy finds its claim and is only reconciled).
  const alone = (order: SubmitOrder) =>
    window.run(() => send(subjects.submit(order.data.carrierId), order.orderId, order, order, 1));
  const together = (chunk: SubmitOrder[]) => {
    const [lead] = chunk;
    if (!lead) return Promise.resolve();
    const envelope: EventBatch = { type: "EventBatch", version: 1, events: chunk };
    const id = eventBatchId(chunk.map((order) => order.orderId));
    return window.run(() =>
      send(subjects.submit(lead.data.carrierId), id, envelope, lead, chunk.length),
    );
  };

  return {
    async publishAll(orders) {
      await Promise.all(
        [...byCarrier(orders).values()].map((list) => inChunks(list, alone, together)),
      );
    },
  };
}

/** The orders per carrier, each order once (an event delivered twice in a batch orders twice). */
function byCarrier(orders: readonly SubmitOrder[]): Map<string, SubmitOrder[]> {
  const groups = new Map<string, SubmitOrder[]>();
  const seen = new Set<string>();
  for (const order of orders) {
    if (seen.has(order.orderId)) continue;
    seen.add(order.orderId);
    const list = groups.get(order.data.carrierId);
    if (list) list.push(order);
    else groups.set(order.data.carrierId, [order]);
  }
  return groups;
}
