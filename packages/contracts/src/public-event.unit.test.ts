import { describe, expect, it } from "vitest";
import { MessageEvent } from "./events.ts";
import { publicEventOf } from "./public-event.ts";

const at = "2026-12-01T10:00:00.000Z";
const stored = (type: string, data: unknown) => ({
  eventId: `msg_1:${type}`,
  type,
  occurredAt: at,
  data,
});

/** What no public event may contain: carriers, their ids, routing, SMPP internals. */
const SUPPLY_CHAIN = [
  "sim-a",
  "sim-b",
  "carrierId",
  "carrierMessageId",
  "0A1B2C",
  "candidates",
  "matchedPrefix",
  "commandStatus",
  "0x0000000b",
  `"stat"`,
  "UNDELIV",
  "concat",
  "udh16",
  "failover",
  "detail",
];

const trail = [
  stored("MessageAccepted", {
    to: "+37256789045",
    from: "MyApp",
    text: "Hi",
    encoding: "gsm7",
    parts: 1,
    concat: "udh16",
    country: "EE",
    cost: 420,
    currency: "EUR",
    callbackUrl: null,
    reference: null,
    pricePerPart: 420,
  }),
  stored("MessageRouted", {
    to: "+37256789045",
    from: "MyApp",
    text: "Hi",
    encoding: "gsm7",
    parts: 1,
    carrierId: "sim-a",
    attempt: 1,
    reason: { matchedPrefix: "+372", candidates: ["sim-a", "sim-b"] },
  }),
  stored("SubmitFailed", {
    carrierId: "sim-a",
    attempt: 1,
    retryable: false,
    commandStatus: 0x0b,
    detail: "sim-a said ESME_RINVDSTADR",
    failover: {
      content: { to: "+37256789045", from: "MyApp", text: "Hi", encoding: "gsm7", parts: 1 },
      tried: ["sim-a"],
      scoreKey: "+372",
    },
  }),
  stored("MessageSubmitted", {
    carrierId: "sim-b",
    attempt: 2,
    parts: [{ part: 1, carrierMessageId: "0A1B2C" }],
    reason: { matchedPrefix: "+372", candidates: ["sim-a", "sim-b"], winner: "sim-b" },
  }),
  stored("ReceiptReceived", {
    carrierId: "sim-b",
    carrierMessageId: "0A1B2C",
    part: 1,
    stat: "UNDELIV",
    errorCode: "001",
    partStatus: "undelivered",
  }),
  stored("MessageFailed", {
    reason: "submit_rejected",
    errorCode: "0x0000000b",
    detail: "sim-a refused attempt 1 (permanent)",
  }),
  stored("ValidityExpired", { carrierId: "sim-b", validUntil: at }),
];

describe("the public view of a trail", () => {
  it("when a trail holds carriers, their ids, routing reasons and SMPP details, none of it is shown", () => {
    const shown = JSON.stringify(trail.map(publicEventOf));
    for (const secret of SUPPLY_CHAIN) expect(shown).not.toContain(secret);
  });

  it("when events are shown, each keeps its id, type and time and says what it means to the customer", () => {
    const shown = trail.map(publicEventOf);
    expect(shown.map((e) => [e.eventId, e.type, e.occurredAt])).toEqual(
      trail.map((e) => [e.eventId, e.type, e.occurredAt]),
    );
    expect(shown.map((e) => e.data)).toEqual([
      {
        to: "+37256789045",
        from: "MyApp",
        text: "Hi",
        encoding: "gsm7",
        parts: 1,
        country: "EE",
        cost: 420,
        currency: "EUR",
        pricePerPart: 420,
        reference: null,
        callbackUrl: null,
        sendAt: null,
        validUntil: null,
      },
      { attempt: 1 },
      { attempt: 1, retryable: false, errorCode: "invalid_number" },
      { attempt: 2, parts: 1 },
      { part: 1, status: "undelivered", errorCode: "unknown_subscriber" },
      { reason: "submit_rejected", errorCode: "invalid_number" },
      { validUntil: at },
    ]);
  });

  it("when an old stored payload (no publicErrorCode, no reason, raw codes) is read, it still parses and shows documented codes", () => {
    const old = {
      eventId: "msg_1:receipt:1:UNDELIV",
      type: "ReceiptReceived",
      version: 1,
      messageId: "msg_1",
      accountId: "acc_1",
      occurredAt: at,
      data: {
        carrierId: "sim-a",
        carrierMessageId: "77",
        part: 1,
        stat: "UNDELIV",
        errorCode: "027",
        partStatus: "undelivered",
      },
    };
    expect(MessageEvent.safeParse(old).success).toBe(true);
    expect(publicEventOf(old).data).toEqual({
      part: 1,
      status: "undelivered",
      errorCode: "unreachable",
    });
  });

  it("when the connector mapped the code with the carrier's overrides, that code is shown", () => {
    const receipt = stored("ReceiptReceived", {
      carrierId: "sim-a",
      carrierMessageId: "77",
      part: 1,
      stat: "UNDELIV",
      errorCode: "001",
      partStatus: "undelivered",
      publicErrorCode: "blocked_by_carrier",
    });
    expect(publicEventOf(receipt).data).toMatchObject({ errorCode: "blocked_by_carrier" });
  });

  it("when the type is unknown or its data no longer parses, only the envelope is shown", () => {
    expect(publicEventOf(stored("CarrierSwitched", { carrierId: "sim-a" })).data).toEqual({});
    expect(publicEventOf(stored("MessageSubmitted", { carrierId: "sim-a" })).data).toEqual({});
  });
});
