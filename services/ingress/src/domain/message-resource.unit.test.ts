import { describe, expect, it } from "vitest";
import { acceptedEvent } from "./accepted-event.ts";
import { toMessageResource } from "./message-resource.ts";

describe("toMessageResource", () => {
  it("when a view is read, the answer has the decimal cost and no account id", () => {
    const resource = toMessageResource({
      messageId: "msg_01",
      accountId: "acc_1",
      status: "delivered",
      to: "+37256789045",
      from: "MyApp",
      parts: 3,
      cost: 1260,
      currency: "EUR",
      reference: null,
      errorCode: null,
      createdAt: "2026-11-24T10:00:00.000Z",
      updatedAt: "2026-11-24T10:00:01.000Z",
      statusTimes: { queued: "2026-11-24T10:00:00.000Z", delivered: "2026-11-24T10:00:01.000Z" },
    });
    expect(resource.cost).toBe(0.126);
    expect(resource).not.toHaveProperty("accountId");
    expect(resource.statusTimes.delivered).toBe("2026-11-24T10:00:01.000Z");
  });
});

describe("acceptedEvent", () => {
  it("when a charged message is accepted, the event carries content, cost and a derived id", () => {
    const event = acceptedEvent({
      messageId: "msg_01",
      accountId: "acc_1",
      fields: { text: "hi", encoding: "gsm7", parts: 1, callbackUrl: null },
      destination: { e164: "+37256789045", country: "EE" },
      sender: "MyApp",
      charge: { amount: 420, currency: "EUR" },
      occurredAt: "2026-11-24T10:00:00.000Z",
    });
    expect(event).toMatchObject({
      eventId: "msg_01:accepted",
      type: "MessageAccepted",
      data: { to: "+37256789045", from: "MyApp", cost: 420, country: "EE", reference: null },
    });
  });

  it("when the account is a test account, the event says so; a live one's carries no flag", () => {
    const input = {
      messageId: "msg_02",
      accountId: "acc_1",
      fields: { text: "hi", encoding: "gsm7" as const, parts: 1, callbackUrl: null },
      destination: { e164: "+37256789045", country: "EE" },
      sender: "MyApp",
      charge: { amount: 420, currency: "EUR" },
      occurredAt: "2026-11-24T10:00:00.000Z",
    };
    expect(acceptedEvent({ ...input, test: true }).data.test).toBe(true);
    expect(acceptedEvent({ ...input, test: false }).data).not.toHaveProperty("test");
  });
});
