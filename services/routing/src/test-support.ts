import { Kvm } from "@nats-io/kv";
import {
  type CarrierHealth,
  type EventOf,
  emptyScoreCounts,
  eventIdFor,
  type MessageEvent,
  MessageEvent as MessageEventSchema,
  NATS_OPERATOR_USER,
  newMessageId,
  type ScoreCounts,
  SubmitOrder,
  subjects as subjectsFor,
} from "@smsgw/contracts";
import {
  connectNats,
  createLogger,
  type Messaging,
  openMessaging,
  type RunningConsumer,
  singleOrBatch,
  startConsumer,
  unbatch,
} from "@smsgw/service-kit";
import { createTestInfra, waitFor } from "@smsgw/testkit";
import { loadRoutingConfig } from "./config.ts";
import { routesBucket } from "./kv/route-store.ts";
import { startRouting } from "./service.ts";

/** Test helpers shared by the routing integration tests (not part of the service). */
export const silent = createLogger("routing-test", "silent");

export function accepted(
  to: string,
  overrides: Partial<EventOf<"MessageAccepted">["data"]> = {},
): EventOf<"MessageAccepted"> {
  const messageId = newMessageId();
  return {
    eventId: eventIdFor(messageId, "accepted"),
    type: "MessageAccepted",
    version: 1,
    messageId,
    accountId: "acc_1",
    occurredAt: new Date().toISOString(),
    data: {
      to,
      from: "MyApp",
      text: "hello",
      encoding: "gsm7",
      parts: 3,
      country: null,
      cost: 840,
      currency: "EUR",
      callbackUrl: null,
      reference: null,
      ...overrides,
    },
  };
}

/**
 * A SubmitFailed as the connector says it for an order: a retryable one hands back what
 * failover needs (the order's content, carriers tried, score key, test flag).
 */
export function submitFailed(
  order: SubmitOrder | { messageId: string; data: { carrierId: string; attempt: number } },
  retryable: boolean,
): EventOf<"SubmitFailed"> {
  const { messageId } = order;
  const { carrierId, attempt } = order.data;
  const failover =
    retryable && "orderId" in order
      ? {
          content: {
            to: order.data.to,
            from: order.data.from,
            text: order.data.text,
            encoding: order.data.encoding,
            parts: order.data.parts,
            ...(order.data.validUntil ? { validUntil: order.data.validUntil } : {}),
          },
          tried: order.data.tried,
          scoreKey: order.data.scoreKey,
          ...(order.data.test ? { test: true } : {}),
        }
      : undefined;
  return {
    eventId: eventIdFor(messageId, "submit_failed", attempt),
    type: "SubmitFailed",
    version: 1,
    messageId,
    accountId: "acc_1",
    occurredAt: new Date().toISOString(),
    data: {
      carrierId,
      attempt,
      retryable,
      commandStatus: retryable ? 0x58 : 0x0b,
      detail: retryable ? "throttled" : "invalid destination address",
      ...(failover ? { failover } : {}),
    },
  };
}

/** One slot of a connector's counts for a carrier under a score key (1 s slots, now). */
export function counts(key: string, overrides: Partial<ScoreCounts> = {}): ScoreCounts {
  const slotMs = 1_000;
  const now = Date.now();
  return { ...emptyScoreCounts(key, now - (now % slotMs)), ...overrides };
}

export function health(
  carrierId: string,
  bindsUp: number,
  simulated?: boolean,
  scoreCounts?: ScoreCounts[],
): CarrierHealth {
  return {
    ...(simulated === undefined ? {} : { simulated }),
    ...(scoreCounts ? { countSlotMs: 1_000, counts: scoreCounts } : {}),
    carrierId,
    replica: "r1",
    bindsUp,
    bindsWanted: 2,
    throttled: false,
    recentSubmitErrors: 0,
    recentSubmits: 0,
    updatedAt: new Date().toISOString(),
  };
}

/**
 * Records every event on the stream and every submit order, duplicates included, to count
 * what routing wrote.
 */
export async function startRecorder(messaging: Messaging) {
  const seen: MessageEvent[] = [];
  const orders: SubmitOrder[] = [];
  const consumers: RunningConsumer[] = [
    await startConsumer(messaging.nats, {
      stream: messaging.subjects.stream,
      durable: "test-recorder",
      filterSubject: messaging.subjects.allEvents,
      schema: MessageEventSchema,
      log: silent,
      handle: async (batch) => {
        seen.push(...batch.map((delivery) => delivery.value));
        return undefined;
      },
    }),
    await startConsumer(messaging.nats, {
      stream: messaging.subjects.stream,
      durable: "test-order-recorder",
      filterSubject: messaging.subjects.submitAll,
      schema: singleOrBatch(SubmitOrder),
      log: silent,
      handle: async (batch) => {
        orders.push(...unbatch(batch, SubmitOrder).events.map((event) => event.value));
        return undefined;
      },
    }),
  ];
  const eventsOf = <T extends MessageEvent["type"]>(messageId: string, type: T) =>
    seen.filter(
      (event): event is EventOf<T> => event.messageId === messageId && event.type === type,
    );
  const ordersOf = (messageId: string) => orders.filter((order) => order.messageId === messageId);
  /** Waits until the outcome is in, then a little longer for any duplicate. */
  async function failureOf(messageId: string) {
    await waitFor(() => eventsOf(messageId, "MessageFailed").length >= 1, {
      what: `MessageFailed of ${messageId}`,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    return eventsOf(messageId, "MessageFailed");
  }
  /**
   * Waits until `count` orders of the message are in, then a little longer for any duplicate.
   * A scheduled message's wait (`timeoutMs`) counts its time until due.
   */
  async function ordersFor(messageId: string, count = 1, timeoutMs = 10_000) {
    await waitFor(() => ordersOf(messageId).length >= count, {
      what: `${count} submit order(s) of ${messageId}`,
      timeoutMs,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    return ordersOf(messageId);
  }
  return {
    seen,
    orders,
    eventsOf,
    ordersOf,
    failureOf,
    ordersFor,
    stop: async () => {
      for (const consumer of consumers) await consumer.stop();
    },
  };
}

/** testkit removes the stream and the accounts bucket; these buckets are routing's. */
export async function deleteRoutingBuckets(natsUrl: string, prefix: string): Promise<void> {
  const nats = await connectNats(natsUrl, "routing-test-cleanup", silent);
  const names = subjectsFor(prefix);
  const kvm = new Kvm(nats.nc);
  for (const bucket of [routesBucket(names), names.routingBucket, names.carrierHealthBucket]) {
    await kvm
      .open(bucket)
      .then((kv) => kv.destroy())
      .catch(() => false);
  }
  await nats.nc.close();
}

/**
 * Routing on its own test infrastructure (database, subject prefix), with a connection to
 * publish on and a recorder of every event; `stop()` undoes all of it.
 */
export async function startRoutingUnderTest(env: Record<string, string>) {
  // Routing as its own NATS user under the permission file; the stand-ins as the operator.
  const infra = await createTestInfra({ HEALTH_PORT: "0", ...env }, { natsUser: "routing" });
  const config = loadRoutingConfig(infra.env);
  const messaging = await openMessaging(
    loadRoutingConfig(infra.envOf(NATS_OPERATOR_USER)),
    "routing-test",
    silent,
  );
  const recorder = await startRecorder(messaging);
  const routing = await startRouting(config, silent);
  return {
    infra,
    config,
    messaging,
    recorder,
    routing,
    /** Writes connector health records, as the connector would (key `<carrier>.<replica>`). */
    async putHealth(...records: CarrierHealth[]) {
      const kv = await new Kvm(messaging.nats.nc).create(messaging.subjects.carrierHealthBucket, {
        history: 1,
      });
      for (const record of records) {
        await kv.put(`${record.carrierId}.${record.replica}`, JSON.stringify(record));
      }
    },
    async stop() {
      await routing.stop();
      await recorder.stop();
      await messaging.close();
      await deleteRoutingBuckets(infra.env.NATS_URL ?? "", infra.prefix);
      await infra.cleanup();
    },
  };
}
export type RoutingUnderTest = Awaited<ReturnType<typeof startRoutingUnderTest>>;
