import { type MessageEvent, NATS_OPERATOR_USER, newMessageId } from "@smsgw/contracts";
import { createLogger, type Messaging, openMessaging } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadEventStoreConfig } from "./config.ts";
import { DURABLE, startEventStore } from "./service.ts";
import { messageEvents } from "./testing/message-events.ts";

const log = createLogger("event-store-replicas", process.env.TEST_LOG_LEVEL ?? "silent");
const t = (second: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, second)).toISOString();
let infra: TestInfra;
let messaging: Messaging;

beforeAll(async () => {
  // Small batches, two in flight per replica: many transactions touch the same messages.
  infra = await createTestInfra({ HEALTH_PORT: "0", MAX_BATCH: "50" }, { natsUser: "event-store" });
  messaging = await openMessaging(
    loadEventStoreConfig(infra.envOf(NATS_OPERATOR_USER)),
    "replicas-test",
    log,
  );
});
afterAll(async () => {
  await messaging?.close();
  await infra?.cleanup();
});

/** A deterministic shuffle, so a failure can be replayed. */
function shuffled<T>(items: T[], seed = 42): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

it("when two replicas fold shuffled events of the same messages at once, every message ends delivered and nothing is left over", async () => {
  const config = loadEventStoreConfig(infra.env);
  const replicas = [await startEventStore(config, log), await startEventStore(config, log)];
  const events: MessageEvent[] = [];
  for (let i = 0; i < 500; i++) {
    const e = messageEvents(newMessageId(), "acc_1");
    events.push(
      e.accepted(t(0), { parts: 3 }),
      e.submitted(t(1), 3),
      e.receipt(t(2), 1, "delivered"),
      e.receipt(t(3), 2, "delivered"),
      e.receipt(t(4), 3, "delivered"),
    );
  }
  await messaging.publisher.publishAll(shuffled(events));
  await waitFor(
    async () => {
      const info = await messaging.nats.jsm.consumers.info(messaging.subjects.stream, DURABLE);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    { timeoutMs: 25_000, what: "both replicas to ack everything" },
  );
  await Promise.all(replicas.map((replica) => replica.stop()));

  const sql = postgres(infra.database.url, { max: 1, onnotice: () => undefined });
  try {
    const statuses = await sql`
      select status, count(*)::int as n from event_store.messages group by status`;
    expect(statuses).toEqual([{ status: "delivered", n: 500 }]);
    const [counts] = await sql`
      select (select count(*)::int from event_store.events) as events,
             (select count(*)::int from event_store.outbox) as outbox`;
    expect(counts).toEqual({ events: 2_500, outbox: 0 });
  } finally {
    await sql.end();
  }
});
