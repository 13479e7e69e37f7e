import { describe, expect, it } from "vitest";
import { failureStep, needsLookup } from "./redelivery.ts";

const policy = { waitMs: 60_000, waits: 2 };

describe("whether a failure decided on a redelivery is published", () => {
  it("when the failure is decided on a first delivery, it is published without looking anything up", () => {
    expect(needsLookup(1)).toBe(false);
    expect(failureStep({ deliveryCount: 1, laterAttemptSeen: undefined, policy })).toEqual({
      kind: "publish",
    });
  });

  it("when a redelivery decides fail but the record shows a later attempt, the failure is dropped: it would contradict the order already given", () => {
    expect(needsLookup(2)).toBe(true);
    expect(failureStep({ deliveryCount: 2, laterAttemptSeen: true, policy })).toEqual({
      kind: "drop",
    });
    expect(failureStep({ deliveryCount: 40, laterAttemptSeen: true, policy })).toEqual({
      kind: "drop",
    });
  });

  it("when a redelivery decides fail and nothing later shows yet, it waits for the order to show, then publishes after the last wait", () => {
    expect(failureStep({ deliveryCount: 2, laterAttemptSeen: false, policy })).toEqual({
      kind: "wait",
      delayMs: 60_000,
    });
    expect(failureStep({ deliveryCount: 3, laterAttemptSeen: false, policy })).toEqual({
      kind: "wait",
      delayMs: 60_000,
    });
    expect(failureStep({ deliveryCount: 4, laterAttemptSeen: false, policy })).toEqual({
      kind: "publish",
    });
  });
});
