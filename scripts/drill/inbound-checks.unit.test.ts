import { describe, expect, it } from "vitest";
import type { MoAttempt } from "../lib/mo-traffic.ts";
import { checkInbound } from "./inbound-checks.ts";

const attempt = (n: number, tries: number, outcome: MoAttempt["outcome"]): MoAttempt => ({
  n,
  attempt: tries,
  text: `mo t ${n}.${tries}`,
  parts: 1,
  sentAt: 0,
  outcome,
});

describe("the drill's inbound invariants", () => {
  it("when every acked MO is stored once and POSTed, nothing is lost, doubled or missing", () => {
    const attempts = [attempt(1, 1, "acked"), attempt(2, 1, "acked")];
    const check = checkInbound(
      attempts,
      new Map([
        ["mo t 1.1", 1],
        ["mo t 2.1", 1],
      ]),
      new Map([
        ["mo t 1.1", { ids: ["in_1"] }],
        ["mo t 2.1", { ids: ["in_2", "in_2"] }],
      ]),
    );
    expect(check).toEqual({
      moSent: 2,
      moAcked: 2,
      moDelivered: 2,
      moLost: 0,
      moStoredTwice: 0,
      webhooksMissing: 0,
      // A webhook retried after a lost answer: at least once, seen by its id.
      webhookRepeats: 1,
      unackedStored: 0,
      examples: [],
    });
  });

  it("when an acked MO is not stored, stored twice or never POSTed, each is counted", () => {
    const attempts = [attempt(1, 1, "acked"), attempt(2, 1, "acked"), attempt(3, 1, "acked")];
    const check = checkInbound(
      attempts,
      new Map([
        ["mo t 2.1", 2],
        ["mo t 3.1", 1],
      ]),
      new Map([["mo t 2.1", { ids: ["in_2", "in_2b"] }]]),
    );
    expect(check).toMatchObject({
      moLost: 1,
      moStoredTwice: 1,
      webhooksMissing: 1,
      moDelivered: 0,
    });
  });

  it("when an attempt the carrier got no OK for was stored, it is the carrier's redelivery, not a loss", () => {
    const attempts = [attempt(1, 1, "not_acked"), attempt(1, 2, "acked")];
    const check = checkInbound(
      attempts,
      new Map([
        ["mo t 1.1", 1],
        ["mo t 1.2", 1],
      ]),
      new Map([
        ["mo t 1.1", { ids: ["in_a"] }],
        ["mo t 1.2", { ids: ["in_b"] }],
      ]),
    );
    expect(check).toMatchObject({
      moSent: 1,
      moAcked: 1,
      moDelivered: 1,
      moLost: 0,
      unackedStored: 1,
    });
  });
});
