import { type EventOf, eventIdFor, MessageEvent } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { commandStatusHex, decideAfterSubmitFailure, decideRoute } from "./decide.ts";
import { failedEvent, routedEvent } from "./events.ts";
import { createRouteTable } from "./route-table.ts";

const table = createRouteTable([
  { prefix: "+372", carriers: ["sim-a", "sim-b"] },
  { prefix: "+1", carriers: ["sim-b"] },
]);
const now = new Date("2026-11-24T10:00:00.123Z");

const accepted: EventOf<"MessageAccepted"> = {
  eventId: "msg_1:accepted",
  type: "MessageAccepted",
  version: 1,
  messageId: "msg_1",
  accountId: "acc_1",
  occurredAt: "2026-11-24T10:00:00.000Z",
  trace: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
  data: {
    to: "+37256789045",
    from: "MyApp",
    text: "hello",
    encoding: "gsm7",
    parts: 1,
    country: "EE",
    cost: 420,
    currency: "EUR",
    callbackUrl: null,
    reference: null,
  },
};

describe("route decision", () => {
  it("when a prefix matches, the first carrier gets attempt 1 and the reason names the candidates", () => {
    expect(decideRoute(table, "+37256789045")).toEqual({
      kind: "route",
      carrierId: "sim-a",
      attempt: 1,
      matchedPrefix: "+372",
      candidates: ["sim-a", "sim-b"],
    });
  });

  it("when nothing matches, the message fails with no_route", () => {
    expect(decideRoute(table, "+4915123456789")).toEqual({
      kind: "fail",
      reason: "no_route",
      errorCode: null,
      detail: "no route for +4915123456789",
    });
  });

  it("when a carrier refuses a submit, the message fails with its command status in hex", () => {
    const decision = decideAfterSubmitFailure({
      carrierId: "sim-a",
      attempt: 1,
      retryable: false,
      commandStatus: 0x45,
      detail: "submit_sm failed",
    });
    expect(decision).toMatchObject({
      kind: "fail",
      reason: "submit_rejected",
      errorCode: "0x00000045",
    });
    expect(decision.detail).toContain("sim-a");
  });

  it("when a submit failed without a command status (e.g. a timeout), the error code is null", () => {
    const decision = decideAfterSubmitFailure({
      carrierId: "sim-b",
      attempt: 1,
      retryable: true,
      commandStatus: null,
      detail: "response timeout",
    });
    expect(decision.errorCode).toBeNull();
    expect(commandStatusHex(0x58)).toBe("0x00000058");
  });
});

describe("routing events", () => {
  it("when routed, the event copies the content, carries the trace and has a deterministic id", () => {
    const decision = decideRoute(table, accepted.data.to);
    if (decision.kind !== "route") throw new Error("expected a route");
    const event = routedEvent(accepted, decision, now);
    expect(MessageEvent.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      eventId: eventIdFor("msg_1", "routed", 1),
      occurredAt: "2026-11-24T10:00:00.123Z",
      trace: accepted.trace,
      data: {
        to: "+37256789045",
        from: "MyApp",
        text: "hello",
        encoding: "gsm7",
        parts: 1,
        carrierId: "sim-a",
        attempt: 1,
        reason: { matchedPrefix: "+372", candidates: ["sim-a", "sim-b"] },
      },
    });
  });

  it("when failed, the event is a valid MessageFailed with one id per message", () => {
    const decision = decideRoute(table, "+4915123456789");
    if (decision.kind !== "fail") throw new Error("expected a failure");
    const { trace: _trace, ...untraced } = accepted;
    const event = failedEvent(untraced, decision, now);
    expect(MessageEvent.parse(event)).toEqual(event);
    expect(event.eventId).toBe(eventIdFor("msg_1", "failed"));
    expect(event).not.toHaveProperty("trace");
  });
});
