import { describe, expect, it } from "vitest";
import { CarrierHealth } from "./carrier-health.ts";
import { MessageEvent } from "./events.ts";
import { subjects } from "./subjects.ts";
import { SubmitOrder, submitOrderId } from "./submit-order.ts";

const envelope = {
  version: 1,
  messageId: "msg_01J0000000000000000000000A",
  accountId: "acc_1",
  occurredAt: "2026-12-05T10:00:00.000Z",
};

describe("submit orders (ADR 0009)", () => {
  it("when routing hands attempt 2 over, the order's id is per message and attempt and its subject the carrier's", () => {
    expect(submitOrderId(envelope.messageId, 2)).toBe(`${envelope.messageId}:submit:2`);
    expect(subjects("t1").submit("sim-a")).toBe("t1.submit.sim-a");
    const order = SubmitOrder.parse({
      ...envelope,
      orderId: submitOrderId(envelope.messageId, 2),
      type: "SubmitOrder",
      data: {
        to: "+37256789045",
        from: "MyApp",
        text: "hi",
        encoding: "gsm7",
        parts: 1,
        carrierId: "sim-b",
        attempt: 2,
        tried: ["sim-a", "sim-b"],
        scoreKey: "EE",
        reason: { matchedPrefix: "+372", candidates: ["sim-a", "sim-b"], winner: "sim-b" },
      },
    });
    expect(order.data.reason).toMatchObject({ winner: "sim-b" });
  });

  it("when an order lacks the carriers tried or the score key, it is refused", () => {
    const parsed = SubmitOrder.safeParse({
      ...envelope,
      orderId: "x",
      type: "SubmitOrder",
      data: { to: "+1", from: "A", text: "", encoding: "gsm7", parts: 1, carrierId: "a" },
    });
    expect(parsed.success).toBe(false);
  });
});

describe("additive fields of ADR 0009", () => {
  it("when old SubmitFailed, MessageSubmitted and CarrierHealth payloads are parsed, they still parse without the new fields", () => {
    const failed = MessageEvent.parse({
      ...envelope,
      eventId: "e1",
      type: "SubmitFailed",
      data: { carrierId: "a", attempt: 1, retryable: true, commandStatus: 88, detail: "x" },
    });
    expect(failed.type === "SubmitFailed" && failed.data.failover).toBeUndefined();
    const submitted = MessageEvent.parse({
      ...envelope,
      eventId: "e2",
      type: "MessageSubmitted",
      data: { carrierId: "a", attempt: 1, parts: [{ part: 1, carrierMessageId: "1" }] },
    });
    expect(submitted.type === "MessageSubmitted" && submitted.data.reason).toBeUndefined();
    const health = CarrierHealth.parse({
      carrierId: "a",
      replica: "r1",
      bindsUp: 1,
      bindsWanted: 1,
      throttled: false,
      recentSubmitErrors: 0,
      recentSubmits: 0,
      updatedAt: envelope.occurredAt,
    });
    expect(health.counts).toBeUndefined();
  });

  it("when a SubmitFailed carries its failover context, the content, carriers tried and score key come back", () => {
    const failed = MessageEvent.parse({
      ...envelope,
      eventId: "e3",
      type: "SubmitFailed",
      data: {
        carrierId: "a",
        attempt: 1,
        retryable: true,
        commandStatus: null,
        detail: "no bind",
        failover: {
          content: { to: "+1555", from: "A", text: "hi", encoding: "gsm7", parts: 1 },
          tried: ["a"],
          scoreKey: "US",
          test: true,
        },
      },
    });
    expect(failed.type === "SubmitFailed" && failed.data.failover).toMatchObject({
      tried: ["a"],
      scoreKey: "US",
      test: true,
    });
  });
});
