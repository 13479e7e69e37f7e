import { eventIdFor, newMessageId, submitOrderId } from "@smsgw/contracts";
import { waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routingDecisions } from "./metrics.ts";
import { ROUTING_DURABLES, startRouting } from "./service.ts";
import {
  accepted,
  type RoutingUnderTest,
  silent,
  startRoutingUnderTest,
  submitFailed,
} from "./test-support.ts";

let t: RoutingUnderTest;
let sql: postgres.Sql;

const acceptedConsumer = () =>
  t.messaging.nats.jsm.consumers.info(t.messaging.subjects.stream, ROUTING_DURABLES.accepted);

/** The message's row in routing's table, if any. */
async function scheduledRow(messageId: string) {
  const [row] = await sql<Array<{ routed: boolean }>>`
    select routed_at is not null as routed from routing.scheduled where message_id = ${messageId}`;
  return row;
}

/** Waits until the scheduled message has its row and its accepted event is acked. */
async function storedAndAcked(messageId: string): Promise<void> {
  await waitFor(async () => (await scheduledRow(messageId)) !== undefined, {
    what: "the scheduled message's row",
  });
  await waitFor(async () => (await acceptedConsumer()).num_ack_pending === 0, {
    what: "the accepted event acked",
  });
}

/**
 * When a scheduled message a test looks at before it is due is due: far enough ahead that a
 * busy machine (another test file beside this one) gets the looking done first.
 */
const DUE_IN_MS = 6_000;
/** An order's wait: the time left until due, then as long as for an immediate message. */
const untilDue = (sendAt: Date) => Math.max(0, sendAt.getTime() - Date.now()) + 10_000;

/** The routed decisions counted so far (every replica in this process). */
async function routedDecisions(): Promise<number> {
  const metric = await routingDecisions.get();
  return metric.values
    .filter((v) => v.labels.outcome === "routed")
    .reduce((sum, v) => sum + v.value, 0);
}

beforeAll(async () => {
  t = await startRoutingUnderTest({
    ROUTES: "+372=sim-a:300|sim-b:400,+3725=sim-b,+1=sim-b",
    ROUTE_MAX_ATTEMPTS: "3",
    ROUTE_SCHEDULE_POLL_MS: "200",
  });
  sql = postgres(t.infra.env.DATABASE_URL ?? "", { max: 1, onnotice: () => undefined });
});

afterAll(async () => {
  await sql?.end();
  await t?.stop();
});

describe("routing on real JetStream", () => {
  it("when an accepted message matches a prefix, one submit order goes to its cheapest carrier's subject, saying why, and nothing is logged", async () => {
    const event = accepted("+37212345678", {
      country: "EE",
      validUntil: "2030-01-01T00:00:00.000Z",
    });
    const onSimA = t.messaging.nats.nc.subscribe(t.messaging.subjects.submit("sim-a"), { max: 1 });
    await t.messaging.nats.nc.flush();
    await t.messaging.publisher.publish(event);
    const [order, ...duplicates] = await t.recorder.ordersFor(event.messageId);
    expect(duplicates).toEqual([]);
    for await (const msg of onSimA)
      expect(msg.json()).toMatchObject({ messageId: event.messageId });
    expect(order).toMatchObject({
      orderId: submitOrderId(event.messageId, 1),
      type: "SubmitOrder",
      accountId: "acc_1",
      data: {
        carrierId: "sim-a",
        attempt: 1,
        tried: ["sim-a"],
        scoreKey: "EE",
        to: "+37212345678",
        from: "MyApp",
        text: "hello",
        parts: 3,
        validUntil: "2030-01-01T00:00:00.000Z",
        reason: {
          matchedPrefix: "+372",
          candidates: ["sim-a", "sim-b"],
          winner: "sim-a",
          scoreKey: "EE",
          considered: [
            {
              carrierId: "sim-a",
              costPerPart: 300,
              reliability: 0.9,
              samples: 0,
              health: "unknown",
              tier: 0,
            },
            {
              carrierId: "sim-b",
              costPerPart: 400,
              reliability: 0.9,
              samples: 0,
              health: "unknown",
              tier: 0,
            },
          ],
        },
      },
    });
    // The work item is not an event: the trail has only the accepted event.
    expect(
      t.recorder.seen.filter((e) => e.messageId === event.messageId).map((e) => e.type),
    ).toEqual(["MessageAccepted"]);
  });

  it("when an accepted message matches no prefix, it fails with no_route", async () => {
    const event = accepted("+4915123456789");
    await t.messaging.publisher.publish(event);
    const failed = await t.recorder.failureOf(event.messageId);
    expect(failed.map((e) => e.data)).toEqual([
      {
        reason: "no_route",
        errorCode: null,
        detail: "no route for +4915123456789",
        publicErrorCode: "no_route",
      },
    ]);
    expect(t.recorder.ordersOf(event.messageId)).toEqual([]);
  });

  it("when an accepted event is stored after its publishBy, it is void: routing neither routes nor fails it (ADR 0022), and one stored in time is routed", async () => {
    const past = new Date(Date.now() - 1_000).toISOString();
    const future = new Date(Date.now() + 60_000).toISOString();
    const late = accepted("+37212345670", { publishBy: past });
    const inTime = accepted("+37212345671", { publishBy: future });
    await t.messaging.publisher.publish(late);
    await t.messaging.publisher.publish(inTime);
    await t.recorder.ordersFor(inTime.messageId);
    await waitFor(
      async () => {
        const info = await t.messaging.nats.jsm.consumers.info(
          t.messaging.subjects.stream,
          ROUTING_DURABLES.accepted,
        );
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { what: "routing done with both" },
    );
    expect(t.recorder.ordersOf(late.messageId)).toEqual([]);
    expect(t.recorder.eventsOf(late.messageId, "MessageFailed")).toEqual([]);
  });

  it("when the accepted event is delivered again, routing publishes its decision once", async () => {
    const event = accepted("+37212345679");
    const subject = t.messaging.subjects.event("MessageAccepted");
    // Stored twice (no de-duplication id), so routing receives it twice.
    await t.messaging.nats.js.publish(subject, JSON.stringify(event));
    await t.messaging.nats.js.publish(subject, JSON.stringify(event));
    await waitFor(() => t.recorder.eventsOf(event.messageId, "MessageAccepted").length === 2);
    const orders = await t.recorder.ordersFor(event.messageId);
    expect(orders).toHaveLength(1);
  });

  it("when a retryable submit failure is delivered twice, the message fails over exactly once per attempt, from what the failure carries", async () => {
    const event = accepted("+37212121212", { country: "EE-failover" });
    await t.messaging.publisher.publish(event);
    const [firstOrder] = await t.recorder.ordersFor(event.messageId);
    if (!firstOrder) throw new Error("no first order");
    const subject = t.messaging.subjects.event("SubmitFailed");
    const first = JSON.stringify(submitFailed(firstOrder, true));
    await t.messaging.nats.js.publish(subject, first);
    await t.messaging.nats.js.publish(subject, first);
    const orders = await t.recorder.ordersFor(event.messageId, 2);
    expect(orders.map((o) => [o.orderId, o.data.carrierId, o.data.attempt, o.data.tried])).toEqual([
      [submitOrderId(event.messageId, 1), "sim-a", 1, ["sim-a"]],
      [submitOrderId(event.messageId, 2), "sim-b", 2, ["sim-a", "sim-b"]],
    ]);
    expect(orders[1]?.data).toMatchObject({
      to: "+37212121212",
      text: "hello",
      parts: 3,
      scoreKey: "EE-failover",
    });
    // Late redelivery of attempt 1's failure, after attempt 2 was handed over: same order, dropped.
    await t.messaging.nats.js.publish(subject, first);
    const second = JSON.stringify(submitFailed(orders[1] ?? firstOrder, true));
    await t.messaging.nats.js.publish(subject, second);
    await t.messaging.nats.js.publish(subject, second);
    const failed = await t.recorder.failureOf(event.messageId);
    expect(failed.map((e) => e.data.reason)).toEqual(["no_carrier_left"]);
    expect(t.recorder.ordersOf(event.messageId)).toHaveLength(2);
  });

  it("when a carrier refused the submit for good, the message fails with submit_rejected", async () => {
    const messageId = newMessageId();
    const refused = { messageId, data: { carrierId: "sim-a", attempt: 1 } };
    await t.messaging.publisher.publish(submitFailed(refused, false));
    const failed = await t.recorder.failureOf(messageId);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      eventId: eventIdFor(messageId, "failed"),
      data: {
        reason: "submit_rejected",
        errorCode: "0x0000000b",
        publicErrorCode: "invalid_number",
      },
    });
  });

  it("when a message is scheduled, it is stored in routing's table and acked at once (nothing pending on the consumer), and routed when due", async () => {
    const sendAt = new Date(Date.now() + DUE_IN_MS);
    const event = accepted("+15551234567", { sendAt: sendAt.toISOString() });
    await t.messaging.publisher.publish(event);
    await storedAndAcked(event.messageId);
    expect(t.recorder.ordersOf(event.messageId)).toEqual([]);
    const [order, ...duplicates] = await t.recorder.ordersFor(event.messageId, 1, untilDue(sendAt));
    expect(duplicates).toEqual([]);
    expect(Date.parse(order?.occurredAt ?? "")).toBeGreaterThanOrEqual(sendAt.getTime());
    expect(order?.data.carrierId).toBe("sim-b");
    await waitFor(async () => (await scheduledRow(event.messageId))?.routed === true, {
      what: "the row marked routed",
    });
  });

  it("when the account cancels a scheduled message, it fails canceled at once and is never routed; too late once routed", async () => {
    const cancel = async (accountId: string, messageId: string) => {
      const msg = await t.messaging.nats.nc.request(
        t.messaging.subjects.cancelScheduled,
        JSON.stringify({ accountId, messageId }),
        { timeout: 5_000 },
      );
      return msg.json<{ outcome: string }>().outcome;
    };
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const event = accepted("+15551230101", { sendAt: inAnHour });
    await t.messaging.publisher.publish(event);
    await storedAndAcked(event.messageId);
    expect(await cancel("acc_other", event.messageId)).toBe("not_scheduled");
    expect(await cancel(event.accountId, event.messageId)).toBe("canceled");
    const [failed, ...again] = await t.recorder.failureOf(event.messageId);
    expect(again).toEqual([]);
    expect(failed).toMatchObject({
      eventId: eventIdFor(event.messageId, "failed"),
      data: { reason: "canceled", errorCode: null, publicErrorCode: "canceled" },
    });
    await waitFor(async () => (await scheduledRow(event.messageId))?.routed === true, {
      what: "the row marked routed",
    });
    expect(t.recorder.ordersOf(event.messageId)).toEqual([]);
    expect(await cancel(event.accountId, event.messageId)).toBe("canceled");

    // Another copy of a canceled message (a door's retry in another envelope, ADR 0022), read
    // once it is due, finds the canceled row: never routed.
    const due = accepted("+15551230103", {
      sendAt: new Date(Date.now() + DUE_IN_MS).toISOString(),
    });
    await t.messaging.publisher.publish(due);
    await storedAndAcked(due.messageId);
    expect(await cancel(due.accountId, due.messageId)).toBe("canceled");
    await t.recorder.failureOf(due.messageId);
    await new Promise((resolve) =>
      setTimeout(resolve, Date.parse(due.data.sendAt ?? "") - Date.now()),
    );
    const neighbour = accepted("+15551230104");
    await t.messaging.publisher.publishGrouped([due, neighbour]);
    await t.recorder.ordersFor(neighbour.messageId);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(t.recorder.ordersOf(due.messageId)).toEqual([]);

    const soon = accepted("+15551230102", { sendAt: new Date(Date.now() + 500).toISOString() });
    await t.messaging.publisher.publish(soon);
    await t.recorder.ordersFor(soon.messageId);
    expect(await cancel(soon.accountId, soon.messageId)).toBe("released");
    expect(t.recorder.eventsOf(soon.messageId, "MessageFailed")).toEqual([]);
  });

  it("when the durable may have only a few messages pending and more scheduled messages than that wait, an immediate message is still routed at once", async () => {
    const { stream } = t.messaging.subjects;
    // As if thousands were scheduled: the durable's room shrunk to 5.
    await t.messaging.nats.jsm.consumers.update(stream, ROUTING_DURABLES.accepted, {
      max_ack_pending: 5,
    });
    try {
      const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
      const scheduled = Array.from({ length: 12 }, (_, i) =>
        accepted(`+1555123${String(i).padStart(4, "0")}`, { sendAt: inAnHour }),
      );
      for (const event of scheduled) await t.messaging.publisher.publish(event);
      const now = accepted("+15557654321");
      await t.messaging.publisher.publish(now);
      const [order] = await t.recorder.ordersFor(now.messageId);
      expect(order?.data.carrierId).toBe("sim-b");
      for (const event of scheduled) expect(t.recorder.ordersOf(event.messageId)).toEqual([]);
      await waitFor(async () => (await acceptedConsumer()).num_ack_pending === 0, {
        what: "every scheduled message acked",
      });
    } finally {
      await t.messaging.nats.jsm.consumers.update(stream, ROUTING_DURABLES.accepted, {
        max_ack_pending: 10_000,
      });
    }
  });

  it("when a scheduled message's copy is gone from the stream before it is due (the stream's limits dropped it), it is still routed when due", async () => {
    const { stream } = t.messaging.subjects;
    const sendAt = new Date(Date.now() + DUE_IN_MS);
    const event = accepted("+15551230001", { sendAt: sendAt.toISOString() });
    await t.messaging.publisher.publish(event);
    await storedAndAcked(event.messageId);
    // As ADR 0013's byte bound or the stream's max_age would: the accepted copies are gone.
    await t.messaging.nats.jsm.streams.purge(stream, {
      filter: t.messaging.subjects.event("MessageAccepted"),
    });
    expect(t.recorder.ordersOf(event.messageId)).toEqual([]);
    const [order] = await t.recorder.ordersFor(event.messageId, 1, untilDue(sendAt));
    expect(Date.parse(order?.occurredAt ?? "")).toBeGreaterThanOrEqual(sendAt.getTime());
    expect(order?.data).toMatchObject({ carrierId: "sim-b", to: "+15551230001", text: "hello" });
  });

  it("when two routing replicas run, each scheduled message is routed by one of them, once", async () => {
    const second = await startRouting(t.config, silent);
    try {
      const routedBefore = await routedDecisions();
      const sendAt = new Date(Date.now() + 1_500).toISOString();
      const events = Array.from({ length: 60 }, (_, i) =>
        accepted(`+1555777${String(i).padStart(4, "0")}`, { sendAt }),
      );
      await t.messaging.publisher.publishAll(events);
      await waitFor(() => events.every((e) => t.recorder.ordersOf(e.messageId).length > 0), {
        what: "every scheduled message's order",
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // Both replicas count in this process's registry: one decision per message in all.
      expect((await routedDecisions()) - routedBefore).toBe(events.length);
      for (const event of events) expect(t.recorder.ordersOf(event.messageId)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it("when accepted messages arrive together, their orders for one carrier are stored as one envelope, each order once", async () => {
    const subject = t.messaging.subjects.submit("sim-a");
    const stored = async () => {
      const info = await t.messaging.nats.jsm.streams.info(t.messaging.subjects.stream, {
        subjects_filter: subject,
      });
      return info.state.subjects?.[subject] ?? 0;
    };
    const before = await stored();
    const events = ["+37212345001", "+37212345002", "+37212345003"].map((to) =>
      accepted(to, { country: "EE" }),
    );
    await t.messaging.publisher.publishGrouped(events);
    for (const event of events) {
      const [order, ...duplicates] = await t.recorder.ordersFor(event.messageId);
      expect(duplicates).toEqual([]);
      expect(order).toMatchObject({ messageId: event.messageId, data: { carrierId: "sim-a" } });
    }
    expect(await stored()).toBe(before + 1);
  });

  it("when a scheduled message arrives in an envelope, its neighbours are routed at once, the envelope acked, the scheduled one stored (nothing published on a held subject or the doors' accepted one) and routed once, when due", async () => {
    const { stream } = t.messaging.subjects;
    const acceptedSubject = t.messaging.subjects.event("MessageAccepted");
    const stored = async (subject: string) => {
      const info = await t.messaging.nats.jsm.streams.info(stream, { subjects_filter: subject });
      return info.state.subjects?.[subject] ?? 0;
    };
    const acceptedBefore = await stored(acceptedSubject);
    const sendAt = new Date(Date.now() + DUE_IN_MS);
    const now = [accepted("+37212340001"), accepted("+37212340002")];
    const later = accepted("+37212340003", {
      sendAt: sendAt.toISOString(),
      // Its window closes before it is due: the copy was stored in time, the row stands for it.
      publishBy: new Date(Date.now() + 3_000).toISOString(),
    });
    const envelope = JSON.stringify({ type: "EventBatch", version: 1, events: [...now, later] });
    // Stored twice (no de-duplication id), so routing reads the envelope twice: one row.
    await t.messaging.nats.js.publish(acceptedSubject, envelope);
    await t.messaging.nats.js.publish(acceptedSubject, envelope);
    for (const event of now) {
      const orders = await t.recorder.ordersFor(event.messageId);
      expect(orders.map((o) => o.data.carrierId)).toEqual(["sim-a"]);
    }
    await waitFor(
      async () => {
        const info = await acceptedConsumer();
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { what: "both copies of the envelope acked" },
    );
    expect(Date.now()).toBeLessThan(sendAt.getTime());
    expect(t.recorder.ordersOf(later.messageId)).toEqual([]);
    expect(await scheduledRow(later.messageId)).toMatchObject({ routed: false });
    expect(await stored(t.messaging.subjects.routingHeld)).toBe(0);
    const [order, ...duplicates] = await t.recorder.ordersFor(later.messageId, 1, untilDue(sendAt));
    expect(duplicates).toEqual([]);
    expect(Date.parse(order?.occurredAt ?? "")).toBeGreaterThanOrEqual(sendAt.getTime());
    expect(order?.data.carrierId).toBe("sim-a");
    // Routing published nothing on the doors' accepted subject: only the test's two envelopes.
    expect(await stored(acceptedSubject)).toBe(acceptedBefore + 2);
    expect(t.infra.natsViolations()).toEqual([]);
  });

  it("when a copy an older routing held apart on <p>.routing.held is delivered after the upgrade, it goes into the table and is routed once, when due", async () => {
    const sendAt = new Date(Date.now() + 2_000);
    const event = accepted("+37212340004", { sendAt: sendAt.toISOString() });
    await t.messaging.nats.js.publish(t.messaging.subjects.routingHeld, JSON.stringify(event), {
      msgID: `${event.eventId}:held`,
    });
    await waitFor(async () => (await scheduledRow(event.messageId)) !== undefined, {
      timeoutMs: 15_000,
      what: "the held copy's row",
    });
    const [order, ...duplicates] = await t.recorder.ordersFor(event.messageId);
    expect(duplicates).toEqual([]);
    expect(Date.parse(order?.occurredAt ?? "")).toBeGreaterThanOrEqual(sendAt.getTime());
  });

  it("when asked, the health server says it is ready", async () => {
    const response = await fetch(`http://127.0.0.1:${t.routing.healthPort}/readyz`);
    expect(response.status).toBe(200);
  });
});
