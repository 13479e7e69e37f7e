import {
  EventBatch,
  InboundMessageReceived,
  type MessageEvent,
  MessageEvent as MessageEventSchema,
  newMessageId,
  type SubmitOrder,
  submitOrderId,
} from "@smsgw/contracts";
import {
  BaseEnv,
  type Logger,
  loadConfig,
  type Messaging,
  openMessaging,
  type RunningConsumer,
  startConsumer,
} from "@smsgw/service-kit";
import { countParts } from "@smsgw/sms-text";
import { z } from "zod";

/** A submit order (attempt 1) as routing would hand it over. */
export function order(
  carrierId: string,
  to: string,
  text: string,
  extra: Partial<SubmitOrder["data"]> = {},
): SubmitOrder {
  const messageId = newMessageId();
  const { encoding, parts } = countParts(text);
  return {
    orderId: submitOrderId(messageId, 1),
    type: "SubmitOrder",
    version: 1,
    messageId,
    accountId: "acc_1",
    occurredAt: new Date().toISOString(),
    data: {
      to,
      from: "MyApp",
      text,
      encoding,
      parts,
      carrierId,
      attempt: 1,
      tried: [carrierId],
      scoreKey: "EE",
      reason: { matchedPrefix: "+372", candidates: [carrierId], winner: carrierId },
      ...extra,
    },
  };
}

/**
 * Publishes orders on their carriers' submit subjects, as routing does (Nats-Msg-Id = the
 * order id); `{ dedupe: false }` stores a copy again, as a redelivery would deliver it.
 */
export async function handOver(
  messaging: Messaging,
  orders: readonly SubmitOrder[],
  options: { dedupe?: boolean } = {},
): Promise<number[]> {
  return Promise.all(
    orders.map(async (o) => {
      const ack = await messaging.nats.js.publish(
        messaging.subjects.submit(o.data.carrierId),
        JSON.stringify(o),
        options.dedupe === false ? {} : { msgID: o.orderId },
      );
      return ack.seq;
    }),
  );
}

/** A message event, or a batch of them (`<p>.evt.batch`): what an observer of `<p>.evt.>` reads. */
export const ObservedEvents = z.union([MessageEventSchema, EventBatch]);

/** The events of what was observed: a batch's events one by one. */
export function eventsIn(value: z.infer<typeof ObservedEvents>): MessageEvent[] {
  if (value.type !== "EventBatch") return [value];
  return value.events.map((event) => MessageEventSchema.parse(event));
}

/** Opens NATS on the test prefix and records every message event, for assertions. */
export async function observeEvents(env: Record<string, string>, log: Logger) {
  const messaging: Messaging = await openMessaging(loadConfig(BaseEnv, env), "connector-test", log);
  const seen: MessageEvent[] = [];
  const ids = new Set<string>();
  const observer: RunningConsumer = await startConsumer(messaging.nats, {
    stream: messaging.subjects.stream,
    durable: "test-observer",
    filterSubject: messaging.subjects.allEvents,
    schema: ObservedEvents,
    log,
    handle: async (batch) => {
      // Kept once per event id, as the event store keeps them: batch envelopes are
      // de-duplicated downstream, not by JetStream (a receipt the carrier sends again after a
      // lost answer rides in another batch).
      for (const event of batch.flatMap((d) => eventsIn(d.value))) {
        if (ids.has(event.eventId)) continue;
        ids.add(event.eventId);
        seen.push(event);
      }
      return undefined;
    },
  });
  const eventsOf = (messageId: string) => seen.filter((e) => e.messageId === messageId);
  const ofType = <T extends MessageEvent["type"]>(messageId: string, type: T) =>
    eventsOf(messageId).filter((e): e is Extract<MessageEvent, { type: T }> => e.type === type);
  return {
    messaging,
    seen,
    handOver: (...orders: SubmitOrder[]) => handOver(messaging, orders),
    eventsOf,
    ofType,
    async close() {
      await observer.stop();
      await messaging.close();
    },
  };
}

/** A CARRIERS entry for a carrier the simulator plays: its port, the simulator's password, hex ids. */
export function simulatedCarrier(
  ports: Readonly<Record<string, number>>,
  id: string,
  extra: Record<string, unknown> = {},
) {
  return { id, port: ports[id], password: "secret", idBase: "hex", ...extra };
}

/** Records every InboundMessageReceived on the test prefix into `into` (the consumer returned). */
export function recordInbound(
  messaging: Messaging,
  into: InboundMessageReceived[],
  log: Logger,
): Promise<RunningConsumer> {
  return startConsumer(messaging.nats, {
    stream: messaging.subjects.stream,
    durable: "test-inbound",
    filterSubject: messaging.subjects.inboundReceived,
    schema: InboundMessageReceived,
    log,
    handle: async (batch) => {
      into.push(...batch.map((d) => d.value));
      return undefined;
    },
  });
}
