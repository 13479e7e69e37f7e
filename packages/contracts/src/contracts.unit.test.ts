import { describe, expect, it } from "vitest";
import { MessageEvent } from "./events.ts";
import { isMessageId, messageIdTime, newMessageId } from "./ids.ts";
import { parseDecimal, toDecimal } from "./money.ts";
import { AuthorizeRequest } from "./rpc.ts";
import { isForwardStatus } from "./status.ts";
import { MessageStatusChanged } from "./status-change.ts";
import { subjects } from "./subjects.ts";

describe("statuses only move forward", () => {
  it("when a message is queued, sent and any final status are forward", () => {
    expect(isForwardStatus(null, "queued")).toBe(true);
    expect(isForwardStatus("queued", "sent")).toBe(true);
    expect(isForwardStatus("queued", "delivered")).toBe(true);
    expect(isForwardStatus("sent", "undelivered")).toBe(true);
  });

  it("when a late sent follows delivered, or a final follows a final, nothing moves", () => {
    expect(isForwardStatus("delivered", "sent")).toBe(false);
    expect(isForwardStatus("delivered", "undelivered")).toBe(false);
    expect(isForwardStatus("sent", "sent")).toBe(false);
    expect(isForwardStatus("sent", "queued")).toBe(false);
  });
});

describe("money", () => {
  it("when units become a JSON number, there is no float noise", () => {
    expect(toDecimal(420 * 3)).toBe(0.126);
    expect(toDecimal(1000 + 2000)).toBe(0.3);
    expect(String(toDecimal(3 * 1000))).toBe("0.3");
  });

  it("when a decimal is parsed, it becomes exact units or is refused", () => {
    expect(parseDecimal("0.042")).toBe(420);
    expect(parseDecimal("10")).toBe(100_000);
    expect(parseDecimal("0.00001")).toBeNull();
    expect(parseDecimal("-1")).toBeNull();
  });
});

describe("message ids", () => {
  it("when ids are made in sequence, they sort by creation time", () => {
    const ids = Array.from({ length: 50 }, () => newMessageId());
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every(isMessageId)).toBe(true);
  });

  it("when many ids are made in different milliseconds, their random parts use every character and never repeat", () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => newMessageId(1_800_000_000_000 + i * 7));
    expect(new Set(ids).size).toBe(ids.length);
    const randomChars = new Set(ids.flatMap((id) => [...id.slice(-16)]));
    expect(randomChars.size).toBe(32);
  });

  it("when an id's time is asked, it is the time it was made at; a foreign id has none", () => {
    // Later than any id made before in this file: the factory is monotonic.
    expect(messageIdTime(newMessageId(1_900_000_000_123))).toBe(1_900_000_000_123);
    expect(messageIdTime("abc")).toBeNull();
  });
});

describe("subjects", () => {
  it("when a prefix is chosen, every name carries it", () => {
    const s = subjects("t1");
    expect(s.stream).toBe("T1_EVENTS");
    expect(s.event("MessageRouted", "sim-a")).toBe("t1.evt.routed.sim-a");
    expect(s.event("MessageAccepted")).toBe("t1.evt.accepted");
    expect(() => subjects("Bad.Prefix")).toThrow();
  });

  it("when routing holds a message apart, its subject is in the stream but outside the events every logger reads", () => {
    const s = subjects("t1");
    expect(s.routingHeld).toBe("t1.routing.held");
    expect(s.streamSubjects).toContain("t1.routing.>");
    for (const read of [s.allEvents, s.submitAll, "t1.status.>", "t1.inbound.>"]) {
      expect(s.routingHeld.startsWith(read.slice(0, -1))).toBe(false);
    }
  });
});

describe("event schemas", () => {
  it("when an event of version 1 is parsed, unknown extra fields are tolerated and type selects the schema", () => {
    const parsed = MessageEvent.parse({
      eventId: "msg_1:failed",
      type: "MessageFailed",
      version: 1,
      messageId: "msg_1",
      accountId: "acc_1",
      occurredAt: "2026-11-24T10:00:00.123Z",
      data: { reason: "no_route", errorCode: null, detail: "no route for +999", addedLater: 1 },
    });
    expect(parsed.type).toBe("MessageFailed");
  });

  it("when an event lacks a required field, it is refused", () => {
    expect(
      MessageEvent.safeParse({
        eventId: "x",
        type: "MessageFailed",
        version: 1,
        messageId: "m",
        accountId: "a",
        occurredAt: "2026-11-24T10:00:00Z",
        data: { reason: "no_route" },
      }).success,
    ).toBe(false);
  });
});

describe("status changes", () => {
  const change = {
    type: "MessageStatusChanged",
    version: 1,
    messageId: "msg_1",
    accountId: "acc_1",
    status: "delivered",
    sequence: 3,
    occurredAt: "2026-11-24T10:00:02.000Z",
    toNumber: "+37256789045",
    fromNumber: "MyApp",
    parts: 1,
    cost: 420,
    currency: "EUR",
    errorCode: null,
    reference: null,
    callbackUrl: null,
    smppReceipt: "final",
  };

  it("when a change folded before validUntil rode on it is parsed, it has none (smpp-server falls back to its TTL)", () => {
    expect(MessageStatusChanged.parse(change).validUntil).toBeUndefined();
  });

  it("when a change carries the message's validUntil, it is kept; one that is not a time is refused", () => {
    const validUntil = "2026-11-24T11:00:00.000Z";
    expect(MessageStatusChanged.parse({ ...change, validUntil }).validUntil).toBe(validUntil);
    expect(MessageStatusChanged.safeParse({ ...change, validUntil: "soon" }).success).toBe(false);
  });
});

describe("the authorize request", () => {
  const request = {
    messageId: "msg_1",
    accountId: "acc_1",
    to: "+37256789045",
    country: "EE",
    parts: 1,
  };
  it("when a door of the version before sends no answerBy, it parses as before", () => {
    expect(AuthorizeRequest.parse(request)).toEqual(request);
  });
  it("when it carries the requester's answerBy, it is kept; a malformed one is refused", () => {
    const answerBy = "2026-12-07T10:00:05.000Z";
    expect(AuthorizeRequest.parse({ ...request, answerBy }).answerBy).toBe(answerBy);
    expect(AuthorizeRequest.safeParse({ ...request, answerBy: "in 5 s" }).success).toBe(false);
  });
});
