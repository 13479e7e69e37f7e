import { describe, expect, it } from "vitest";
import { stageLatencies } from "./stages.ts";

describe("the end-to-end time by stage", () => {
  it("when a message is known to the request, the projection and the receiver, each stage is the difference of its two times", () => {
    const stages = stageLatencies(
      new Map([
        ["m1", 1_000],
        ["m2", 2_000],
        ["m3", 3_000],
      ]),
      new Map([
        ["m1", { createdAt: 1_010, sentAt: 1_050, finalAt: 1_060 }],
        // Not taken by a carrier yet: only the stages it has are counted.
        ["m2", { createdAt: 2_020, sentAt: null, finalAt: null }],
        // No final report at the receiver: not counted at all.
        ["m3", { createdAt: 3_005, sentAt: 3_006, finalAt: 3_007 }],
      ]),
      new Map([
        ["m1", 1_100],
        ["m2", 2_500],
      ]),
    );
    expect(stages.accept).toMatchObject({ count: 2, max: 20 });
    expect(stages.toCarrier).toMatchObject({ count: 1, p50: 40 });
    expect(stages.receipt).toMatchObject({ count: 1, p50: 10 });
    expect(stages.report).toMatchObject({ count: 1, p50: 40 });
  });
});
