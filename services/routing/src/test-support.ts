import { Kvm } from "@nats-io/kv";
import {
  type CarrierHealth,
  type EventOf,
  eventIdFor,
  type MessageEvent,
  MessageEvent as MessageEventSchema,
  newMessageId,
  subjects as subjectsFor,
} from "@smsgw/contracts";
import {
  connectNats,
  createLogger,
  type Messaging,
  openMessaging,
  type RunningConsumer,
  startConsumer,
} from "@smsgw/service-kit";
import { createTestInfra, waitFor } from "@smsgw/testkit";
import { loadRoutingConfig } from "./config.ts";
import { routesBucket } from "./kv/route-store.ts";
import { stateBucket } from "./kv/state-store.ts";
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

export function submitFailed(
  messageId: string,
  carrierId: string,
  attempt: number,
  retryable: boolean,
): EventOf<"SubmitFailed"> {
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
    },
  };
}

export function receipt(
  messageId: string,
  carrierId: string,
  part: number,
  delivered: boolean,
): EventOf<"ReceiptReceived"> {
  return {
    eventId: eventIdFor(messageId, "receipt", part),
    type: "ReceiptReceived",
    version: 1,
    messageId,
    accountId: "acc_1",
    occurredAt: new Date().toISOString(),
    data: {
      carrierId,
      carrierMessageId: `${messageId}-${part}`,
      part,
      stat: delivered ? "DELIVRD" : "UNDELIV",
      errorCode: delivered ? null : "001",
      partStatus: delivered ? "delivered" : "undelivered",
    },
  };
}

export function health(carrierId: string, bindsUp: number, simulated?: boolean): CarrierHealth {
  return {
    ...(simulated === undefined ? {} : { simulated }),
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

/** Records every event on the stream, duplicates included, to count what routing wrote. */
export async function startRecorder(messaging: Messaging) {
  const seen: MessageEvent[] = [];
  const consumer: RunningConsumer = await startConsumer(messaging.nats, {
    stream: messaging.subjects.stream,
    durable: "test-recorder",
    filterSubject: messaging.subjects.allEvents,
    schema: MessageEventSchema,
    log: silent,
    handle: async (batch) => {
      seen.push(...batch.map((delivery) => delivery.value));
      return undefined;
    },
  });
  const eventsOf = <T extends MessageEvent["type"]>(messageId: string, type: T) =>
    seen.filter(
      (event): event is EventOf<T> => event.messageId === messageId && event.type === type,
    );
  /** Waits until the outcome is in, then a little longer for any duplicate. */
  async function outcomeOf<T extends "MessageRouted" | "MessageFailed">(
    messageId: string,
    type: T,
    count = 1,
  ) {
    await waitFor(() => eventsOf(messageId, type).length >= count, {
      what: `${type} of ${messageId}`,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    return eventsOf(messageId, type);
  }
  return { seen, eventsOf, outcomeOf, stop: () => consumer.stop() };
}

/** testkit removes the stream and the accounts bucket; these buckets are routing's. */
export async function deleteRoutingBuckets(natsUrl: string, prefix: string): Promise<void> {
  const nats = await connectNats(natsUrl, "routing-test-cleanup", silent);
  const names = subjectsFor(prefix);
  const kvm = new Kvm(nats.nc);
  for (const bucket of [
    routesBucket(names),
    stateBucket(prefix),
    names.routingBucket,
    names.carrierHealthBucket,
  ]) {
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
  const infra = await createTestInfra({ HEALTH_PORT: "0", ...env });
  const config = loadRoutingConfig(infra.env);
  const messaging = await openMessaging(config, "routing-test", silent);
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
