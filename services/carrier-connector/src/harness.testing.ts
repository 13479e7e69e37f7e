import {
  type EventOf,
  eventIdFor,
  type MessageEvent,
  MessageEvent as MessageEventSchema,
  newMessageId,
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

/** A routed event as routing would publish it. */
export function routed(
  carrierId: string,
  to: string,
  text: string,
  extra: Partial<EventOf<"MessageRouted">["data"]> = {},
): EventOf<"MessageRouted"> {
  const messageId = newMessageId();
  const { encoding, parts } = countParts(text);
  return {
    eventId: eventIdFor(messageId, "routed", 1),
    type: "MessageRouted",
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
      reason: { matchedPrefix: "+372", candidates: [carrierId] },
      ...extra,
    },
  };
}

/** Opens NATS on the test prefix and records every message event, for assertions. */
export async function observeEvents(env: Record<string, string>, log: Logger) {
  const messaging: Messaging = await openMessaging(loadConfig(BaseEnv, env), "connector-test", log);
  const seen: MessageEvent[] = [];
  const observer: RunningConsumer = await startConsumer(messaging.nats, {
    stream: messaging.subjects.stream,
    durable: "test-observer",
    filterSubject: messaging.subjects.allEvents,
    schema: MessageEventSchema,
    log,
    handle: async (batch) => {
      seen.push(...batch.map((d) => d.value));
      return undefined;
    },
  });
  const eventsOf = (messageId: string) => seen.filter((e) => e.messageId === messageId);
  const ofType = <T extends MessageEvent["type"]>(messageId: string, type: T) =>
    eventsOf(messageId).filter((e): e is Extract<MessageEvent, { type: T }> => e.type === type);
  return {
    messaging,
    seen,
    eventsOf,
    ofType,
    async close() {
      await observer.stop();
      await messaging.close();
    },
  };
}
