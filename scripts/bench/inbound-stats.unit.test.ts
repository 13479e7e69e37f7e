import { describe, expect, it } from "vitest";
import type { MoAttempt } from "../lib/mo-traffic.ts";
import { inboundMarkdown, inboundStep } from "./inbound-stats.ts";

const attempt = (
  n: number,
  sentAt: number,
  outcome: MoAttempt["outcome"] = "acked",
): MoAttempt => ({
  n,
  attempt: 1,
  text: `mo b ${n}.1`,
  parts: 1,
  sentAt,
  outcome,
});

describe("a bench step's inbound figures", () => {
  it("when every acked MO reached its webhook, none is missing and the latency runs from the send to the first arrival", () => {
    const step = inboundStep(
      5,
      [attempt(1, 1_000), attempt(2, 2_000)],
      new Map([
        ["mo b 1.1", { at: 1_040 }],
        ["mo b 2.1", { at: 2_060 }],
      ]),
    );
    expect(step).toMatchObject({ rate: 5, sent: 2, acked: 2, reached: 2, missing: 0 });
    expect(step.latency).toMatchObject({ count: 2, p50: 40, max: 60 });
  });

  it("when an acked MO's webhook never came, it is missing; an attempt the carrier got no OK for is not owed", () => {
    const step = inboundStep(5, [attempt(1, 0, "not_acked"), attempt(2, 0)], new Map());
    expect(step).toMatchObject({ sent: 2, acked: 1, reached: 0, missing: 1 });
  });

  it("when no step carried MO, the report has no inbound section", () => {
    expect(inboundMarkdown([{ label: "250" }])).toBe("");
  });
});
