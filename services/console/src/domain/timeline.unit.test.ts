import { describe, expect, it } from "vitest";
import { describeEvent } from "./timeline.ts";

const at = "2026-11-25T10:00:00.000Z";

describe("the message timeline", () => {
  it("when an accepted event carries its charge, the entry says what was charged", () => {
    const entry = describeEvent({
      type: "MessageAccepted",
      occurredAt: at,
      data: {
        to: "+37256789045",
        from: "MyApp",
        parts: 2,
        cost: 840,
        currency: "EUR",
        pricePerPart: 420,
      },
    });
    expect(entry.detail).toBe(
      "2 part(s) to +37256789045 from MyApp; charged 0.084 EUR (2 × 0.042 EUR)",
    );
  });

  it("when a message was routed, it says to which carrier and why", () => {
    const entry = describeEvent({
      type: "MessageRouted",
      occurredAt: at,
      data: {
        carrierId: "sim-a",
        attempt: 1,
        reason: { matchedPrefix: "+372", candidates: ["sim-a", "sim-b"] },
      },
    });
    expect(entry.title).toBe("Routed to sim-a");
    expect(entry.detail).toContain("prefix +372 matched; candidates: sim-a, sim-b");
  });

  it("when a submission carries routing's reason, it says to which carrier, why, and the carrier's ids", () => {
    const entry = describeEvent({
      type: "MessageSubmitted",
      occurredAt: at,
      data: {
        carrierId: "sim-a",
        attempt: 1,
        parts: [{ part: 1, carrierMessageId: "ab12" }],
        reason: { matchedPrefix: "+372", candidates: ["sim-a", "sim-b"] },
      },
    });
    expect(entry.title).toBe("Submitted to sim-a");
    expect(entry.detail).toBe(
      "attempt 1; prefix +372 matched; candidates: sim-a, sim-b; part 1: carrier id ab12",
    );
  });

  it("when a receipt or webhook attempt came back, it shows the answer and its tone", () => {
    expect(
      describeEvent({
        type: "ReceiptReceived",
        occurredAt: at,
        data: { part: 2, stat: "UNDELIV", carrierId: "sim-a", errorCode: "001" },
      }),
    ).toMatchObject({ title: "Receipt for part 2: UNDELIV", tone: "bad" });
    expect(
      describeEvent({
        type: "WebhookAttempted",
        occurredAt: at,
        data: {
          status: "delivered",
          attempt: 1,
          outcome: "delivered",
          endpoint: "https://x/dlr",
          httpStatus: 204,
          latencyMs: 12,
        },
      }),
    ).toMatchObject({ tone: "ok", detail: "https://x/dlr answered 204 in 12 ms" });
  });

  it("when charged, it shows the money as a decimal with the currency", () => {
    const entry = describeEvent({
      type: "MessageCharged",
      occurredAt: at,
      data: { amount: 840, currency: "EUR", pricePerPart: 420, parts: 2 },
    });
    expect(entry.detail).toBe("0.084 EUR (2 × 0.042 EUR)");
  });

  it("when the type is unknown, it still shows it by name", () => {
    expect(describeEvent({ type: "Future", occurredAt: at, data: null }).title).toBe("Future");
  });
});
