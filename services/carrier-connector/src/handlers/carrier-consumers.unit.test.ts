import type { EventBatch, SubmitOrder } from "@smsgw/contracts";
import { ACK, createLogger, type Delivery, nak, type Outcome } from "@smsgw/service-kit";
import { describe, expect, it } from "vitest";
import { handleOrderEnvelopes } from "./carrier-consumers.ts";

const log = createLogger("carrier-consumers-test", "silent");

function order(messageId: string): SubmitOrder {
  return {
    orderId: `${messageId}:submit:1`,
    type: "SubmitOrder",
    version: 1,
    messageId,
    accountId: "acc_1",
    occurredAt: "2026-12-05T10:00:00.000Z",
    data: {
      to: "+37256789045",
      from: "MyApp",
      text: "Hi",
      encoding: "gsm7",
      parts: 1,
      carrierId: "sim-a",
      attempt: 1,
      tried: ["sim-a"],
      scoreKey: "EE",
      reason: { matchedPrefix: "+372", candidates: ["sim-a"], winner: "sim-a" },
    },
  };
}

function delivery(
  value: SubmitOrder | EventBatch,
  deliveryCount = 1,
): Delivery<SubmitOrder | EventBatch> {
  return { value, subject: "t.submit.sim-a", deliveryCount, seq: 1, headers: undefined };
}

const envelope = (...orders: SubmitOrder[]): EventBatch => ({
  type: "EventBatch",
  version: 1,
  events: orders,
});

/** A handler that records what it saw and answers `decide(messageId)` for each order. */
function recording(decide: (messageId: string) => Outcome = () => ACK) {
  const seen: Array<{ messageId: string; deliveryCount: number }> = [];
  const handle = async (batch: Delivery<SubmitOrder>[]) => {
    for (const d of batch)
      seen.push({ messageId: d.value.messageId, deliveryCount: d.deliveryCount });
    return batch.map((d) => decide(d.value.messageId));
  };
  return { seen, handle };
}

describe("submit orders alone and in envelopes", () => {
  it("hands every order of every delivery to the handler, in order, with its envelope's delivery count", async () => {
    const { seen, handle } = recording();
    const outcomes = await handleOrderEnvelopes(
      handle,
      log,
    )([delivery(order("m1")), delivery(envelope(order("m2"), order("m3")), 2)]);
    expect(seen).toEqual([
      { messageId: "m1", deliveryCount: 1 },
      { messageId: "m2", deliveryCount: 2 },
      { messageId: "m3", deliveryCount: 2 },
    ]);
    expect(outcomes).toEqual([ACK, ACK]);
  });

  it("retries a whole envelope when one of its orders is to be retried, and only that envelope", async () => {
    const { handle } = recording((id) => (id === "m3" ? nak(2_000) : ACK));
    const outcomes = await handleOrderEnvelopes(
      handle,
      log,
    )([delivery(order("m1")), delivery(envelope(order("m2"), order("m3")))]);
    expect(outcomes).toEqual([ACK, nak(2_000)]);
  });

  it("drops an order in an envelope that is not an order, and still submits its neighbours", async () => {
    const { seen, handle } = recording();
    const broken = { ...order("m2"), data: { carrierId: 7 } } as unknown as SubmitOrder;
    const outcomes = await handleOrderEnvelopes(
      handle,
      log,
    )([delivery(envelope(order("m1"), broken, order("m3")))]);
    expect(seen.map((s) => s.messageId)).toEqual(["m1", "m3"]);
    expect(outcomes).toEqual([ACK]);
  });
});
