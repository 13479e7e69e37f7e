import { describe, expect, it } from "vitest";
import { contentCopiesOf } from "./stream-erasure.ts";

describe("which copies hold an erased message's content", () => {
  it("when an event held the content its own copy is named, and every connector event names its order's", () => {
    expect(
      contentCopiesOf([
        { streamSeq: 7, changed: true, data: { to: "+3725****", text: null } },
        { streamSeq: 12, changed: false, data: { attempt: 1, orderSeq: 9 } },
        { streamSeq: 15, changed: false, data: { stat: "DELIVRD" } },
        { streamSeq: null, changed: true, data: {} },
        { streamSeq: 20, changed: true, data: { failover: {}, orderSeq: 9 } },
      ]),
    ).toEqual([7, 9, 20]);
  });
});
