import { describe, expect, it } from "vitest";
import { deliveryMsgId, ownerAtArrival, routeInbound } from "./routing.ts";

const message = {
  id: "in_01JD0000000000000000000001",
  from: "+37256789045",
  to: "+37250000001",
  text: "Hi",
  parts: 1,
  receivedAt: "2026-12-06T10:00:00.000Z",
};

describe("routing an inbound message", () => {
  it("when the number is owned, it is the owner's, POSTed to the number's inbound URL", () => {
    const route = routeInbound(message, { accountId: "acc_1", inboundUrl: "https://x.example/mo" });
    expect(route).toEqual({
      kind: "owned",
      accountId: "acc_1",
      delivery: {
        type: "InboundDelivery",
        version: 1,
        ...message,
        accountId: "acc_1",
        url: "https://x.example/mo",
      },
    });
  });

  it("when the owner set no inbound URL, the delivery names none (the account's default applies)", () => {
    const route = routeInbound(message, { accountId: "acc_1", inboundUrl: null });
    expect(route.kind === "owned" && route.delivery.url).toBeNull();
  });

  it("when the stored message was erased before its event came again, it goes nowhere (there is no text to deliver), named so that copy of the event is erased too", () => {
    const erased = { ...message, from: "+3725678****", text: null };
    expect(
      routeInbound(erased, { accountId: "acc_1", inboundUrl: "https://x.example/mo" }),
    ).toEqual({
      kind: "erased",
      id: message.id,
    });
  });

  it("when the number is free or not in the inventory, it is the operator's", () => {
    expect(routeInbound(message, { accountId: null, inboundUrl: null })).toEqual({
      kind: "unowned",
    });
    expect(routeInbound(message, undefined)).toEqual({ kind: "unowned" });
  });

  it("when a stored message is delivered again after its number changed hands, it stays its first account's, at that account's default URL", () => {
    const now = { accountId: "acc_2", inboundUrl: "https://new.example/mo" };
    expect(ownerAtArrival("acc_1", now)).toEqual({ accountId: "acc_1", inboundUrl: null });
    expect(ownerAtArrival("acc_2", now)).toBe(now);
    expect(ownerAtArrival(null, now)).toBeUndefined();
  });

  it("when the same message is delivered twice, its publish id is the same", () => {
    expect(deliveryMsgId(message.id)).toBe(`${message.id}:deliver`);
  });
});
