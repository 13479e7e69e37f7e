import { subjects } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { backlogOf, isPerCarrier, onDeliveryPath, subjectsOverlap } from "./backlog.ts";

const PATH = ["sms.evt.accepted", "sms.evt.routed.>", "sms.submit.>", "sms.evt.batch"];

describe("subjectsOverlap", () => {
  it("when the subjects are equal, or a wildcard covers the other, they overlap", () => {
    expect(subjectsOverlap("sms.evt.accepted", "sms.evt.accepted")).toBe(true);
    expect(subjectsOverlap("sms.evt.>", "sms.evt.accepted")).toBe(true);
    expect(subjectsOverlap("sms.submit.carrier_a", "sms.submit.>")).toBe(true);
    expect(subjectsOverlap("sms.*.accepted", "sms.evt.*")).toBe(true);
    expect(subjectsOverlap(">", "sms.evt.accepted")).toBe(true);
  });

  it("when a token differs or the lengths differ without `>`, they do not", () => {
    expect(subjectsOverlap("sms.evt.failed", "sms.evt.accepted")).toBe(false);
    expect(subjectsOverlap("sms.status.>", "sms.evt.>")).toBe(false);
    expect(subjectsOverlap("sms.evt", "sms.evt.accepted")).toBe(false);
    expect(subjectsOverlap("sms.evt.*", "sms.evt.routed.a")).toBe(false);
    // `>` needs at least one token after it.
    expect(subjectsOverlap("sms.submit.>", "sms.submit")).toBe(false);
  });
});

describe("onDeliveryPath", () => {
  const none = new Set<string>();

  it("when a durable reads accepted, routed, submit or every event, it is on the path, whatever its name", () => {
    for (const filter of ["sms.evt.accepted", "sms.evt.routed.c1", "sms.submit.c1", "sms.evt.>"]) {
      expect(onDeliveryPath({ name: "any", filters: [filter] }, PATH, none)).toBe(true);
    }
  });

  it("when a durable reads only status changes or failures, it is not (webhooks do not hold sends back)", () => {
    expect(onDeliveryPath({ name: "dlr", filters: ["sms.status.changed"] }, PATH, none)).toBe(
      false,
    );
    expect(onDeliveryPath({ name: "refunds", filters: ["sms.evt.failed"] }, PATH, none)).toBe(
      false,
    );
  });

  it("when a durable reads routing's held copies (scheduled messages waiting until due), it is not on the path", () => {
    const held = { name: "routing-held", filters: [subjects("sms").routingHeld] };
    expect(onDeliveryPath(held, PATH, none)).toBe(false);
  });

  it("when the operator set a durable aside, it is not on the path", () => {
    const durable = { name: "pricing-accepted", filters: ["sms.evt.accepted"] };
    expect(onDeliveryPath(durable, PATH, new Set(["pricing-accepted"]))).toBe(false);
  });

  it("when a durable has no filter (the whole stream), it is on the path", () => {
    expect(onDeliveryPath({ name: "all", filters: [] }, PATH, none)).toBe(true);
  });
});

describe("backlogOf", () => {
  it("when nothing waits, the backlog is zero", () => {
    const idle = [{ name: "a", pending: 0, ackPending: 5, oldestWaitingAt: null }];
    expect(backlogOf(idle, 10_000)).toEqual({ ageMs: 0, durable: null });
  });

  it("when several durables wait, it is the oldest waiting message's age, and its durable", () => {
    const durables = [
      { name: "routing-accepted", pending: 10, ackPending: 0, oldestWaitingAt: 9_000 },
      { name: "carrier-c1", pending: 3, ackPending: 100, oldestWaitingAt: 4_000 },
      { name: "event-store", pending: 0, ackPending: 0, oldestWaitingAt: 1_000 },
    ];
    expect(backlogOf(durables, 10_000)).toEqual({ ageMs: 6_000, durable: "carrier-c1" });
  });

  it("when a carrier's durable waits but nobody pulls from it (its binds are down), it holds no send back", () => {
    const durables = [
      {
        name: "routing-accepted",
        pending: 10,
        ackPending: 0,
        oldestWaitingAt: 9_500,
        pulled: true,
      },
      {
        name: "connector-submit-c1",
        pending: 300,
        ackPending: 0,
        oldestWaitingAt: 1_000,
        pulled: false,
      },
    ];
    expect(backlogOf(durables, 10_000)).toEqual({ ageMs: 500, durable: "routing-accepted" });
  });
});

describe("isPerCarrier", () => {
  const perCarrier = ["sms.submit.>", "sms.evt.routed.>"];
  it("when a durable reads one carrier's orders (or legacy routed events), it is per carrier", () => {
    expect(isPerCarrier(["sms.submit.c1"], perCarrier)).toBe(true);
    expect(isPerCarrier(["sms.evt.routed.c1"], perCarrier)).toBe(true);
    expect(isPerCarrier(["sms.submit.*"], perCarrier)).toBe(true);
  });

  it("when a durable reads a shared stage, or the whole stream, it is not", () => {
    expect(isPerCarrier(["sms.evt.accepted"], perCarrier)).toBe(false);
    expect(isPerCarrier(["sms.evt.>"], perCarrier)).toBe(false);
    expect(isPerCarrier(["sms.>"], perCarrier)).toBe(false);
    expect(isPerCarrier(["sms.submit.c1", "sms.evt.accepted"], perCarrier)).toBe(false);
    expect(isPerCarrier([], perCarrier)).toBe(false);
  });
});
