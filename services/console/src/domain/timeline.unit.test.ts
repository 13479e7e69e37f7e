import { describe, expect, it } from "vitest";
import { describeEvent } from "./timeline.ts";

const at = "2026-11-25T10:00:00.000Z";
const stored = (type: string, data: unknown) => ({
  eventId: `e:${type}`,
  type,
  occurredAt: at,
  data,
});

const accepted = {
  to: "+37256789045",
  from: "MyApp",
  text: "Hi",
  encoding: "gsm7",
  parts: 2,
  country: "EE",
  cost: 840,
  currency: "EUR",
  pricePerPart: 420,
  callbackUrl: null,
  reference: null,
};

describe("the message timeline", () => {
  it("when an accepted event carries its charge, the entry says what was charged", () => {
    const entry = describeEvent(stored("MessageAccepted", accepted));
    expect(entry.detail).toBe(
      "2 part(s) to +37256789045 from MyApp; charged 0.084 EUR (2 × 0.042 EUR)",
    );
  });

  it("when a message was routed and submitted, it says the attempt and the parts, never the carrier, its ids or the candidates", () => {
    const reason = { matchedPrefix: "+372", candidates: ["sim-a", "sim-b"] };
    const routed = describeEvent(
      stored("MessageRouted", { ...accepted, carrierId: "sim-a", attempt: 1, reason }),
    );
    const submitted = describeEvent(
      stored("MessageSubmitted", {
        carrierId: "sim-a",
        attempt: 1,
        parts: [
          { part: 1, carrierMessageId: "ab12" },
          { part: 2, carrierMessageId: "ab13" },
        ],
        reason,
      }),
    );
    expect(routed).toMatchObject({ title: "Routed", detail: "attempt 1" });
    expect(submitted).toMatchObject({
      title: "Submitted to the network",
      detail: "attempt 1; 2 part(s) accepted",
    });
    const shown = JSON.stringify([routed, submitted]);
    for (const secret of ["sim-a", "sim-b", "ab12", "+372 ", "candidates"]) {
      expect(shown).not.toContain(secret);
    }
  });

  it("when a submit was refused or a receipt came back, it shows the documented error code, not the carrier's", () => {
    const refused = describeEvent(
      stored("SubmitFailed", {
        carrierId: "sim-a",
        attempt: 1,
        retryable: true,
        commandStatus: 0x58,
        detail: "sim-a throttled",
      }),
    );
    expect(refused).toMatchObject({
      title: "Submit attempt 1 refused",
      detail: "error carrier_error (will try another route)",
      tone: "bad",
    });
    const receipt = describeEvent(
      stored("ReceiptReceived", {
        carrierId: "sim-a",
        carrierMessageId: "ab12",
        part: 2,
        stat: "UNDELIV",
        errorCode: "001",
        partStatus: "undelivered",
      }),
    );
    expect(receipt).toMatchObject({
      title: "Receipt for part 2: undelivered",
      detail: "error unknown_subscriber",
      tone: "bad",
    });
    expect(JSON.stringify([refused, receipt])).not.toMatch(/sim-a|ab12|UNDELIV|"001"|0x/);
  });

  it("when a webhook attempt came back, it shows the customer's endpoint's answer", () => {
    const entry = describeEvent(
      stored("WebhookAttempted", {
        sequence: 3,
        status: "delivered",
        attempt: 1,
        outcome: "delivered",
        endpoint: "https://x/dlr",
        httpStatus: 204,
        latencyMs: 12,
        error: null,
      }),
    );
    expect(entry).toMatchObject({ tone: "ok", detail: "https://x/dlr answered 204 in 12 ms" });
  });

  it("when charged, it shows the money as a decimal with the currency", () => {
    const entry = describeEvent(
      stored("MessageCharged", { amount: 840, currency: "EUR", pricePerPart: 420, parts: 2 }),
    );
    expect(entry.detail).toBe("0.084 EUR (2 × 0.042 EUR)");
  });

  it("when the type is unknown, it still shows it by name, and nothing of its data", () => {
    const entry = describeEvent(stored("Future", { carrierId: "sim-a" }));
    expect(entry).toMatchObject({ title: "Future", detail: "" });
  });
});
