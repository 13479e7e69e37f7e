import { describe, expect, it } from "vitest";
import { maskPhoneNumber } from "./erasure.ts";
import { publicEventOf } from "./public-event.ts";

describe("masking an erased message's number", () => {
  it("when a number is masked, its last four characters are hidden, as api.md section 7 shows", () => {
    expect(maskPhoneNumber("+37256781234")).toBe("+3725678****");
    expect(maskPhoneNumber("+3725678****")).toBe("+3725678****");
    expect(maskPhoneNumber("123")).toBe("***");
  });

  it("when an erased acceptance is shown in the public trail, its text is null and the rest is there", () => {
    const event = publicEventOf({
      eventId: "msg_1:accepted",
      type: "MessageAccepted",
      occurredAt: "2026-12-01T10:00:00.000Z",
      data: {
        to: "+3725678****",
        from: "MyApp",
        text: null,
        encoding: "gsm7",
        parts: 1,
        country: "EE",
        cost: 420,
        currency: "EUR",
        callbackUrl: null,
        reference: null,
      },
    });
    expect(event.data).toMatchObject({ to: "+3725678****", text: null, cost: 420 });
  });

  it("when an erased refused submit is shown, it still shows its attempt and code", () => {
    const event = publicEventOf({
      eventId: "msg_1:submit_failed:1",
      type: "SubmitFailed",
      occurredAt: "2026-12-01T10:00:00.000Z",
      data: {
        carrierId: "sim-a",
        attempt: 1,
        retryable: true,
        commandStatus: 88,
        detail: "throttled",
        failover: { content: { to: "+3725678****", text: null }, tried: ["sim-a"], scoreKey: "" },
      },
    });
    expect(event.data).toEqual({ attempt: 1, retryable: true, errorCode: expect.any(String) });
  });
});
