import {
  type EventOf,
  eventIdFor,
  type MessageEvent,
  MessageEvent as MessageEventSchema,
  newMessageId,
} from "@smsgw/contracts";
import {
  createLogger,
  type Messaging,
  openMessaging,
  type RunningConsumer,
  startConsumer,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRoutingConfig } from "./config.ts";
import { type StartedRouting, startRouting } from "./service.ts";

const log = createLogger("routing-test", "silent");
let infra: TestInfra;
let messaging: Messaging;
let routing: StartedRouting;
let recorder: RunningConsumer;
const seen: MessageEvent[] = [];

beforeAll(async () => {
  infra = await createTestInfra({
    HEALTH_PORT: "0",
    ROUTES: "+372=sim-a|sim-b,+3725=sim-b,+1=sim-b",
  });
  const config = loadRoutingConfig(infra.env);
  messaging = await openMessaging(config, "routing-test", log);
  // Records every event on the stream, duplicates included, to count what routing wrote.
  recorder = await startConsumer(messaging.nats, {
    stream: messaging.subjects.stream,
    durable: "test-recorder",
    filterSubject: messaging.subjects.allEvents,
    schema: MessageEventSchema,
    log,
    handle: async (batch) => {
      seen.push(...batch.map((delivery) => delivery.value));
      return undefined;
    },
  });
  routing = await startRouting(config, log);
});

afterAll(async () => {
  await routing?.stop();
  await recorder?.stop();
  await messaging?.close();
  await infra?.cleanup();
});

function accepted(to: string): EventOf<"MessageAccepted"> {
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
      parts: 2,
      country: null,
      cost: 840,
      currency: "EUR",
      callbackUrl: null,
      reference: null,
    },
  };
}

const eventsOf = (messageId: string, type: MessageEvent["type"]) =>
  seen.filter((event) => event.messageId === messageId && event.type === type);

/** Waits until the message's routing outcome is in, then a little longer for any duplicate. */
async function outcomeOf(messageId: string, type: "MessageRouted" | "MessageFailed") {
  await waitFor(() => eventsOf(messageId, type).length > 0, { what: `${type} of ${messageId}` });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return eventsOf(messageId, type);
}

describe("routing on real JetStream", () => {
  it("when an accepted message matches a prefix, it is routed once to that prefix's first carrier", async () => {
    const event = accepted("+37256789045");
    await messaging.publisher.publish(event);
    const [routed, ...duplicates] = await outcomeOf(event.messageId, "MessageRouted");
    expect(duplicates).toEqual([]);
    expect(routed).toMatchObject({
      eventId: eventIdFor(event.messageId, "routed", 1),
      accountId: "acc_1",
      data: {
        carrierId: "sim-b",
        attempt: 1,
        reason: { matchedPrefix: "+3725", candidates: ["sim-b"] },
        to: "+37256789045",
        from: "MyApp",
        text: "hello",
        encoding: "gsm7",
        parts: 2,
      },
    });
    expect(eventsOf(event.messageId, "MessageFailed")).toEqual([]);
  });

  it("when an accepted message matches no prefix, it fails with no_route", async () => {
    const event = accepted("+4915123456789");
    await messaging.publisher.publish(event);
    const failed = await outcomeOf(event.messageId, "MessageFailed");
    expect(failed).toHaveLength(1);
    expect(failed[0]?.data).toEqual({
      reason: "no_route",
      errorCode: null,
      detail: "no route for +4915123456789",
    });
    expect(eventsOf(event.messageId, "MessageRouted")).toEqual([]);
  });

  it("when the accepted event is delivered again, routing publishes its decision once", async () => {
    const event = accepted("+37212345678");
    const subject = messaging.subjects.event("MessageAccepted");
    // Stored twice (no de-duplication id), so routing receives it twice.
    await messaging.nats.js.publish(subject, JSON.stringify(event));
    await messaging.nats.js.publish(subject, JSON.stringify(event));
    await waitFor(() => eventsOf(event.messageId, "MessageAccepted").length === 2);
    const routed = await outcomeOf(event.messageId, "MessageRouted");
    await waitFor(async () => {
      const info = await messaging.nats.jsm.consumers.info(
        messaging.subjects.stream,
        "routing-accepted",
      );
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
    expect(routed).toHaveLength(1);
    expect(routed[0]?.data).toMatchObject({
      carrierId: "sim-a",
      reason: { matchedPrefix: "+372", candidates: ["sim-a", "sim-b"] },
    });
  });

  it("when a carrier refused the submit, the message fails with submit_rejected and the status in hex", async () => {
    const messageId = newMessageId();
    const failure: EventOf<"SubmitFailed"> = {
      eventId: eventIdFor(messageId, "submit_failed", 1),
      type: "SubmitFailed",
      version: 1,
      messageId,
      accountId: "acc_1",
      occurredAt: new Date().toISOString(),
      data: {
        carrierId: "sim-a",
        attempt: 1,
        retryable: false,
        commandStatus: 0x0b,
        detail: "invalid destination address",
      },
    };
    await messaging.publisher.publish(failure);
    const failed = await outcomeOf(messageId, "MessageFailed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      eventId: eventIdFor(messageId, "failed"),
      data: { reason: "submit_rejected", errorCode: "0x0000000b" },
    });
  });

  it("when asked, the health server says it is ready", async () => {
    const response = await fetch(`http://127.0.0.1:${routing.healthPort}/readyz`);
    expect(response.status).toBe(200);
  });
});
