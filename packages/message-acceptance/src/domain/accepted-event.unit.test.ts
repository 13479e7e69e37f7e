import { describe, expect, it } from "vitest";
import { type AcceptedInput, acceptedEvent, callbackUrlOf } from "./accepted-event.ts";

const input: AcceptedInput = {
  messageId: "msg_01",
  accountId: "acc_1",
  fields: { text: "hi", callbackUrl: null, callbackStatuses: null },
  count: { encoding: "gsm7", parts: 2, concat: "udh8" },
  destination: { e164: "+37256789045", country: "EE" },
  sender: "MyApp",
  charge: { amount: 840, currency: "EUR", pricePerPart: 420 },
  occurredAt: "2026-11-24T10:00:00.000Z",
};
const withFields = (fields: Partial<AcceptedInput["fields"]>): AcceptedInput => ({
  ...input,
  fields: { ...input.fields, ...fields },
});

describe("acceptedEvent", () => {
  it("when a charged message is accepted, the event carries content, the charge and a derived id", () => {
    expect(acceptedEvent(input)).toMatchObject({
      eventId: "msg_01:accepted",
      type: "MessageAccepted",
      data: {
        to: "+37256789045",
        from: "MyApp",
        parts: 2,
        country: "EE",
        reference: null,
        cost: 840,
        currency: "EUR",
        pricePerPart: 420,
      },
    });
  });

  it("when the account is a test account, the event says so; a live one's carries no flag", () => {
    expect(acceptedEvent({ ...input, test: true }).data.test).toBe(true);
    expect(acceptedEvent({ ...input, test: false }).data).not.toHaveProperty("test");
  });

  it("when the message came over SMPP asking for receipts, the event says which; else it carries none", () => {
    expect(acceptedEvent({ ...input, smppReceipt: "failure" }).data.smppReceipt).toBe("failure");
    expect(acceptedEvent({ ...input, smppReceipt: null }).data).not.toHaveProperty("smppReceipt");
    expect(acceptedEvent(input).data).not.toHaveProperty("smppReceipt");
  });

  it("when the message has a callback and a mask other than the default, the event carries the mask", () => {
    const event = acceptedEvent(
      withFields({ callbackUrl: "https://hooks.example/r", callbackStatuses: ["delivered"] }),
    );
    expect(event.data.callbackStatuses).toEqual(["delivered"]);
  });

  it("when the mask is the default, the event carries no mask", () => {
    const event = acceptedEvent(withFields({ callbackUrl: "https://hooks.example/r" }));
    expect(event.data).not.toHaveProperty("callbackStatuses");
  });

  it("when there is no callback URL at all, a mask is left out: there is nothing to report to", () => {
    const event = acceptedEvent(withFields({ callbackStatuses: ["sent"] }));
    expect(event.data).not.toHaveProperty("callbackStatuses");
    const byDefault = acceptedEvent({
      ...withFields({ callbackStatuses: ["sent"] }),
      defaultCallbackUrl: "https://default.example/r",
    });
    expect(byDefault.data).toMatchObject({
      callbackUrl: "https://default.example/r",
      callbackStatuses: ["sent"],
    });
  });
});

describe("callbackUrlOf", () => {
  it("when the request names a callbackUrl, it wins over the account's default", () => {
    expect(callbackUrlOf("https://own.example/r", "https://default.example/r")).toBe(
      "https://own.example/r",
    );
  });
  it("when the request names none, the account's default is used, else none", () => {
    expect(callbackUrlOf(null, "https://default.example/r")).toBe("https://default.example/r");
    expect(callbackUrlOf(null, null)).toBeNull();
    expect(callbackUrlOf(null, undefined)).toBeNull();
  });
});
