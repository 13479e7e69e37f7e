import {
  changesOf as changesIn,
  type MessageEvent,
  type MessageStatusChanged,
  NATS_OPERATOR_USER,
  newMessageId,
  StatusChangeDelivery,
  statusChangeId,
} from "@smsgw/contracts";
import {
  createMessageReader,
  InvalidCursorError,
  type MessageReader,
} from "@smsgw/message-read-model";
import {
  createLogger,
  type Messaging,
  openMessaging,
  type RunningConsumer,
  startConsumer,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EventStoreConfig, loadEventStoreConfig } from "./config.ts";
import { EventDelivery } from "./domain/raw-event.ts";
import { createAppendHandler } from "./handlers/append-events.ts";
import { DURABLE, type StartedEventStore, startEventStore } from "./service.ts";
import { messageEvents } from "./testing/message-events.ts";

const log = createLogger("event-store-test", process.env.TEST_LOG_LEVEL ?? "silent");
const t = (second: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, second)).toISOString();

let infra: TestInfra;
let config: EventStoreConfig;
let messaging: Messaging;
let service: StartedEventStore;
let sql: postgres.Sql;
let reader: MessageReader;
let appendSql: postgres.Sql;
let statusConsumer: RunningConsumer;
const published: MessageStatusChanged[] = [];

beforeAll(async () => {
  infra = await createTestInfra({ HEALTH_PORT: "0" }, { natsUser: "event-store" });
  config = loadEventStoreConfig(infra.env);
  messaging = await openMessaging(
    loadEventStoreConfig(infra.envOf(NATS_OPERATOR_USER)),
    "event-store-test",
    log,
  );
  service = await startEventStore(config, log);
  // Like ingress: a connection whose search_path is not the event store's.
  sql = postgres(infra.database.url, { max: 2, onnotice: () => undefined });
  reader = createMessageReader(sql);
  appendSql = postgres(infra.database.url, {
    max: 2,
    onnotice: () => undefined,
    connection: { search_path: "event_store" },
  });
  statusConsumer = await startConsumer(messaging.nats, {
    stream: messaging.subjects.stream,
    durable: "test-status",
    filterSubject: messaging.subjects.statusChanged,
    schema: StatusChangeDelivery,
    log,
    handle: async (batch) => {
      published.push(...batch.flatMap((d) => changesIn(d.value)));
      return undefined;
    },
  });
});

afterAll(async () => {
  await statusConsumer?.stop();
  await service?.stop();
  await messaging?.close();
  await sql?.end();
  await appendSql?.end();
  await infra?.cleanup();
});

const changesOf = (messageId: string) => published.filter((c) => c.messageId === messageId);

/** Resolves when the event store's consumer has acked everything published so far. */
async function settled(): Promise<void> {
  await waitFor(
    async () => {
      const info = await messaging.nats.jsm.consumers.info(messaging.subjects.stream, DURABLE);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    { what: "the event store to ack everything" },
  );
}

/** A status change as a crash of an older version could leave it in its outbox table. */
function leftoverChange(messageId: string): MessageStatusChanged {
  return {
    type: "MessageStatusChanged",
    version: 1,
    messageId,
    accountId: "acc_a",
    status: "sent",
    sequence: 2,
    occurredAt: t(1),
    toNumber: "+37256789045",
    fromNumber: "MyApp",
    parts: 1,
    cost: 420,
    currency: "EUR",
    errorCode: null,
    reference: null,
    callbackUrl: null,
  };
}

describe("folding events into the projection", () => {
  it("when a 2-part message's events arrive out of order, it ends delivered and the changes go out with increasing sequences", async () => {
    const id = newMessageId();
    const e = messageEvents(id, "acc_a");
    await messaging.publisher.publishAll([
      e.receipt(t(4), 2, "delivered"),
      e.submitted(t(2), 2),
      e.charged(t(0), 2),
    ]);
    await settled();
    expect(await reader.getMessage(id, "acc_a")).toBeNull();

    await messaging.publisher.publishAll([
      e.accepted(t(0), { parts: 2, cost: 840, reference: "order-7" }),
      e.receipt(t(3), 1, "delivered"),
    ]);
    const view = await waitFor(async () => {
      const found = await reader.getMessage(id, "acc_a");
      return found?.status === "delivered" ? found : undefined;
    });
    expect(view).toEqual({
      messageId: id,
      accountId: "acc_a",
      status: "delivered",
      to: "+37256789045",
      from: "MyApp",
      parts: 2,
      cost: 840,
      currency: "EUR",
      reference: "order-7",
      errorCode: null,
      createdAt: t(0),
      updatedAt: t(4),
      statusTimes: { queued: t(0), sent: t(2), delivered: t(4) },
      sendAt: null,
      validUntil: null,
    });

    // queued is recorded but not reported (api.md section 4: webhooks from sent on).
    // Batches in flight together publish in either order: the sequence says which is newer.
    const changes = await waitFor(() => changesOf(id).length >= 2 && changesOf(id));
    changes.sort((a, b) => a.sequence - b.sequence);
    expect(changes.map((c) => [c.sequence, c.status])).toEqual([
      [2, "sent"],
      [3, "delivered"],
    ]);
    expect(changes[1]).toMatchObject({ toNumber: "+37256789045", cost: 840, reference: "order-7" });
  });

  it("when the same events are delivered again under other NATS message ids, they are stored once and change nothing", async () => {
    const id = newMessageId();
    const e = messageEvents(id, "acc_a");
    const accepted = e.accepted(t(0));
    const submitted = e.submitted(t(1));
    await messaging.publisher.publishAll([accepted, submitted]);
    // A raw publish without Nats-Msg-Id defeats JetStream's de-duplication.
    for (const event of [accepted, submitted, accepted, submitted]) {
      await messaging.nats.js.publish(messaging.subjects.event(event.type), JSON.stringify(event));
    }
    await settled();

    const rows = await sql`
      select event_id from event_store.events where message_id = ${id} order by event_id`;
    expect(rows.map((r) => r.event_id)).toEqual([accepted.eventId, submitted.eventId]);
    expect((await reader.getMessage(id, "acc_a"))?.status).toBe("sent");
    // Every change of the events above is published before they were acked, so once the
    // change of a later receipt is seen, any stray change from the copies would be too.
    await messaging.publisher.publish(e.receipt(t(2), 1, "delivered"));
    await waitFor(() => changesOf(id).some((c) => c.status === "delivered"));
    expect(changesOf(id).map((c) => [c.sequence, c.status])).toEqual([
      [2, "sent"],
      [3, "delivered"],
    ]);
  });

  it("when a message has no callback URL, its status changes are recorded but not published", async () => {
    const silentId = newMessageId();
    const silent = messageEvents(silentId, "acc_a");
    await messaging.publisher.publishAll([
      silent.accepted(t(0), { callbackUrl: null }),
      silent.submitted(t(1)),
      silent.receipt(t(2), 1, "delivered"),
    ]);
    await settled();
    const markerId = newMessageId();
    const marker = messageEvents(markerId, "acc_a");
    await messaging.publisher.publishAll([marker.accepted(t(0)), marker.submitted(t(1))]);
    await waitFor(() => changesOf(markerId).length === 1);

    expect((await reader.getMessage(silentId, "acc_a"))?.status).toBe("delivered");
    expect(changesOf(silentId)).toEqual([]);
  });

  it("when an event's data is refused by the database, only that event is parked and the rest is stored", async () => {
    const bad = newMessageId();
    const good = newMessageId();
    await messaging.publisher.publishAll([
      messageEvents(bad, "acc_a").accepted(t(0), { text: "nul \u0000 inside" }),
      messageEvents(good, "acc_a").accepted(t(0)),
    ]);
    await settled();
    expect((await reader.getMessage(good, "acc_a"))?.status).toBe("queued");
    const rows = await sql`select 1 from event_store.events where message_id = ${bad}`;
    expect(rows).toHaveLength(0);
  });
});

describe("batches, redeliveries and the lossless log", () => {
  it("when several events come in one EventBatch, each is logged once, even if the batch comes twice", async () => {
    const id = newMessageId();
    const e = messageEvents(id, "acc_a");
    const events = [e.accepted(t(0)), e.submitted(t(1)), e.receipt(t(2), 1, "delivered")];
    await messaging.publisher.publishBatch(events);
    // Again without Nats-Msg-Id: JetStream stores it, the log must not.
    await messaging.nats.js.publish(
      messaging.subjects.eventBatch,
      JSON.stringify({ type: "EventBatch", version: 1, events }),
    );
    await settled();
    const rows = await sql`
      select event_id from event_store.events where message_id = ${id} order by seq`;
    expect(rows.map((r) => r.event_id)).toEqual(events.map((event) => event.eventId));
    expect((await reader.getMessage(id, "acc_a"))?.status).toBe("delivered");
  });

  it("when an event carries fields this version does not know, the trail keeps them as published", async () => {
    const id = newMessageId();
    const accepted = messageEvents(id, "acc_a").accepted(t(0));
    const newer = {
      ...accepted,
      region: "eu-north",
      data: { ...accepted.data, carbonGrams: 0.2, nested: { kept: true } },
    };
    await messaging.nats.js.publish(
      messaging.subjects.event("MessageAccepted"),
      JSON.stringify(newer),
    );
    const trail = await waitFor(async () => {
      const page = await reader.listEvents(id, "acc_a", { limit: 10 });
      return page && page.events.length === 1 ? page.events : undefined;
    });
    expect(trail[0]?.data).toEqual(newer.data);
    const [row] =
      await sql`select extra from event_store.events where event_id = ${accepted.eventId}`;
    expect(row?.extra).toEqual({ region: "eu-north" });
    expect((await reader.getMessage(id, "acc_a"))?.status).toBe("queued");
  });

  it("when webhook attempts of several messages come in a batch, they take one row, and each message's trail lists its own, once, as published, paged across rows", async () => {
    const [a, b] = [newMessageId(), newMessageId()];
    const ea = messageEvents(a, "acc_owner");
    const eb = messageEvents(b, "acc_owner");
    await messaging.publisher.publishBatch([ea.accepted(t(0)), eb.accepted(t(0))]);
    await settled();
    const sent = { ...ea.webhookAttempted(t(5), 2), region: "eu-north" };
    const attempts = [sent, eb.webhookAttempted(t(5), 2), ea.webhookAttempted(t(6), 3)];
    await messaging.publisher.publishBatch(attempts);
    await settled();
    // The dispatcher published one of them again in another batch (a retry after a lost ack).
    await messaging.publisher.publishBatch([
      attempts[2] as MessageEvent,
      eb.webhookAttempted(t(7), 3),
    ]);
    await settled();

    const rows = await sql<Array<{ message_ids: string[] }>>`
      select message_ids from event_store.webhook_attempts
      where message_ids && array[${a}::text, ${b}::text] order by seq`;
    expect(rows.map((r) => r.message_ids.sort())).toEqual([[a, b].sort(), [a, b].sort()]);
    expect(
      await sql`select 1 from event_store.events where message_id = ${a} and type = 'WebhookAttempted'`,
    ).toHaveLength(0);

    const trail: Array<{ eventId: string; type: string; data: unknown }> = [];
    let after: string | undefined;
    for (;;) {
      const page = await reader.listEvents(a, "acc_owner", {
        limit: 1,
        ...(after ? { after } : {}),
      });
      if (!page) throw new Error("the owner's trail is missing");
      trail.push(...page.events);
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(trail.map((e) => e.type)).toEqual([
      "MessageAccepted",
      "WebhookAttempted",
      "WebhookAttempted",
    ]);
    expect(trail.map((e) => e.eventId).slice(1)).toEqual([sent.eventId, attempts[2]?.eventId]);
    expect(trail[1]?.data).toEqual(sent.data);
    const [stored] = await sql<Array<{ event: unknown }>>`
      select a as event from event_store.webhook_attempts, jsonb_array_elements(events) a
      where a->>'eventId' = ${sent.eventId}`;
    expect(stored?.event).toEqual(sent);
    const other = await reader.listEvents(b, "acc_owner", { limit: 10 });
    expect(other?.events.filter((e) => e.type === "WebhookAttempted")).toHaveLength(2);
  });

  it("when a message that wants SMPP receipts has a validity, the projection keeps it and a later batch's final change carries it; another message's is kept, not carried", async () => {
    const validUntil = "2026-11-24T11:00:00.000Z";
    const smppId = newMessageId();
    const smpp = messageEvents(smppId, "acc_a");
    const httpId = newMessageId();
    const http = messageEvents(httpId, "acc_a");
    await messaging.publisher.publishAll([
      smpp.accepted(t(0), { callbackUrl: null, smppReceipt: "final", validUntil }),
      http.accepted(t(0), { validUntil }),
    ]);
    await settled();
    // Folded from the row this time: the validity comes back from the projection.
    await messaging.publisher.publishAll([
      smpp.submitted(t(1)),
      smpp.receipt(t(2), 1, "delivered"),
    ]);
    const delivered = await waitFor(() =>
      changesOf(smppId).find((change) => change.status === "delivered"),
    );
    expect(delivered).toMatchObject({ smppReceipt: "final", validUntil });
    const rows = await sql<Array<{ message_id: string; valid_until: Date | null }>>`
      select message_id, valid_until from event_store.messages
      where message_id in (${smppId}, ${httpId})`;
    const byId = new Map(rows.map((row) => [row.message_id, row.valid_until]));
    expect(byId.get(smppId)?.toISOString()).toBe(validUntil);
    // Kept for every message (GET /v1/messages/{id} shows it); only an SMPP sender's carried.
    expect(byId.get(httpId)?.toISOString()).toBe(validUntil);
    expect(changesOf(httpId).every((change) => change.validUntil === undefined)).toBe(true);
  });

  it("when the publish of a batch's status changes fails after its commit, the redelivery publishes them from the projection", async () => {
    await service.stop();
    let failures = 0;
    const flaky = {
      async publishStatusChangeBatch(changes: readonly MessageStatusChanged[]) {
        if (changes.length > 0 && failures === 0) {
          failures++;
          throw new Error("NATS went away after the commit");
        }
        return messaging.publisher.publishStatusChangeBatch(changes);
      },
    };
    const consumer = await startConsumer(messaging.nats, {
      stream: messaging.subjects.stream,
      durable: DURABLE,
      filterSubject: messaging.subjects.allEvents,
      schema: EventDelivery,
      log,
      handle: createAppendHandler({ sql: appendSql, publisher: flaky, log }),
    });
    try {
      const id = newMessageId();
      const e = messageEvents(id, "acc_a");
      await messaging.publisher.publishBatch([
        e.accepted(t(0)),
        e.submitted(t(1)),
        e.receipt(t(2), 1, "delivered"),
      ]);
      const changes = await waitFor(() => changesOf(id).length >= 2 && changesOf(id), {
        what: "the status changes after the redelivery",
      });
      expect(failures).toBe(1);
      expect(changes.map((c) => [c.sequence, c.status]).sort()).toEqual([
        [2, "sent"],
        [3, "delivered"],
      ]);
    } finally {
      await consumer.stop();
      service = await startEventStore(config, log);
    }
  });
});

describe("a delivery that comes again", () => {
  /** The handler on its own, handed deliveries as the consumer would; what it publishes kept. */
  function handlerAlone() {
    const out: MessageStatusChanged[] = [];
    const publisher = {
      async publishStatusChangeBatch(changes: readonly MessageStatusChanged[]) {
        out.push(...changes);
        return messaging.publisher.publishStatusChangeBatch(changes);
      },
    };
    const handle = createAppendHandler({ sql: appendSql, publisher, log });
    let seq = 1_000_000;
    const deliver = (events: MessageEvent[], deliveryCount: number) =>
      handle([
        {
          value: EventDelivery.parse({ type: "EventBatch", version: 1, events }),
          subject: messaging.subjects.eventBatch,
          deliveryCount,
          seq: seq++,
          headers: undefined,
        },
      ]);
    return { out, deliver };
  }

  it("when it was never stored (naked at a stop), only the changes its own events make are published, not the message's history again", async () => {
    const { out, deliver } = handlerAlone();
    const id = newMessageId();
    const e = messageEvents(id, "acc_a");
    await deliver([e.accepted(t(0)), e.submitted(t(1))], 1);
    expect(out.map((c) => c.status)).toEqual(["sent"]);
    // The receipt's delivery was handed out before a stop and naked unhandled: it comes again.
    await deliver([e.receipt(t(2), 1, "delivered")], 2);
    expect(out.map((c) => c.status)).toEqual(["sent", "delivered"]);
    // A webhook attempt's delivery, naked the same way, moves no status and repeats none.
    await deliver([e.webhookAttempted(t(3), 3)], 2);
    expect(out.map((c) => c.status)).toEqual(["sent", "delivered"]);
  });

  it("when it was stored before (its publish or ack was lost), the message's changes are published again", async () => {
    const { out, deliver } = handlerAlone();
    const id = newMessageId();
    const e = messageEvents(id, "acc_a");
    const events = [e.accepted(t(0)), e.submitted(t(1)), e.receipt(t(2), 1, "delivered")];
    await deliver(events, 1);
    await deliver(events, 2);
    expect(out.map((c) => [c.sequence, c.status])).toEqual([
      [2, "sent"],
      [3, "delivered"],
      [2, "sent"],
      [3, "delivered"],
    ]);
  });
});

describe("the reader", () => {
  it("when another account asks, or the message is unknown, there is nothing", async () => {
    const id = newMessageId();
    await messaging.publisher.publish(messageEvents(id, "acc_owner").accepted(t(0)));
    await waitFor(() => reader.getMessage(id, "acc_owner"));
    expect(await reader.getMessage(id, "acc_other")).toBeNull();
    expect(await reader.listEvents(id, "acc_other", { limit: 10 })).toBeNull();
    expect(await reader.getMessage(newMessageId(), "acc_owner")).toBeNull();
    expect(await reader.listEvents(newMessageId(), "acc_owner", { limit: 10 })).toBeNull();
  });

  it("when the trail is longer than a page, it is paged oldest first with a cursor", async () => {
    const id = newMessageId();
    const e = messageEvents(id, "acc_owner");
    const events = [
      e.accepted(t(0)),
      e.charged(t(0)),
      e.routed(t(1)),
      e.submitted(t(2)),
      e.receipt(t(3), 1, "delivered"),
    ];
    // One at a time: with two batches in flight, events published back to back may be
    // appended in either order.
    for (const event of events) {
      await messaging.publisher.publish(event);
      await settled();
    }

    const seen: string[] = [];
    let after: string | undefined;
    const pages: number[] = [];
    for (;;) {
      const page = await reader.listEvents(id, "acc_owner", {
        limit: 2,
        ...(after ? { after } : {}),
      });
      if (!page) throw new Error("the owner's trail is missing");
      pages.push(page.events.length);
      seen.push(...page.events.map((event) => event.eventId));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(pages).toEqual([2, 2, 1]);
    expect(seen).toEqual(events.map((event) => event.eventId));

    const [first] = (await reader.listEvents(id, "acc_owner", { limit: 1 }))?.events ?? [];
    expect(first).toEqual({
      eventId: events[0]?.eventId,
      type: "MessageAccepted",
      occurredAt: t(0),
      data: events[0]?.data,
    });
    await expect(reader.listEvents(id, "acc_owner", { limit: 2, after: "x1" })).rejects.toThrow(
      InvalidCursorError,
    );
  });
});

describe("the service", () => {
  it("when restarted, it first publishes what an older version left in its outbox, then resumes the events published while it was down", async () => {
    await service.stop();
    const leftover = leftoverChange(newMessageId());
    await sql`
      insert into event_store.outbox (id, message_id, payload)
      values (${statusChangeId(leftover.messageId, 2)}, ${leftover.messageId}, ${sql.json(leftover)})`;
    const id = newMessageId();
    await messaging.publisher.publish(messageEvents(id, "acc_a").accepted(t(0)));

    service = await startEventStore(config, log);
    const rows =
      await sql`select 1 from event_store.outbox where message_id = ${leftover.messageId}`;
    expect(rows).toHaveLength(0);
    await waitFor(() => changesOf(leftover.messageId).length === 1);
    await waitFor(async () => (await reader.getMessage(id, "acc_a"))?.status === "queued");
  });

  it("when it runs, its health server says ready", async () => {
    const response = await fetch(`http://127.0.0.1:${service.healthPort}/readyz`);
    expect(response.status).toBe(200);
  });
});
