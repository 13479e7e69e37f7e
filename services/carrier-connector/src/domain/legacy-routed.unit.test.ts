import type { EventOf } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import { orderFromRouted } from "./legacy-routed.ts";

const routed: EventOf<"MessageRouted"> = {
  eventId: "msg_1:routed:2",
  type: "MessageRouted",
  version: 1,
  messageId: "msg_1",
  accountId: "acc_1",
  occurredAt: "2026-12-05T10:00:00.000Z",
  data: {
    to: "+37256789045",
    from: "MyApp",
    text: "hi",
    encoding: "gsm7",
    parts: 1,
    validUntil: "2026-12-06T10:00:00.000Z",
    carrierId: "sim-b",
    attempt: 2,
    reason: { matchedPrefix: "+372", candidates: ["sim-a", "sim-b"], scoreKey: "EE", test: true },
  },
};

describe("routed events from before ADR 0009", () => {
  it("when one waits in an old durable, it becomes the order of the same attempt, keeping its score key and test flag", () => {
    expect(orderFromRouted(routed)).toEqual({
      orderId: "msg_1:submit:2",
      type: "SubmitOrder",
      version: 1,
      messageId: "msg_1",
      accountId: "acc_1",
      occurredAt: "2026-12-05T10:00:00.000Z",
      data: {
        to: "+37256789045",
        from: "MyApp",
        text: "hi",
        encoding: "gsm7",
        parts: 1,
        validUntil: "2026-12-06T10:00:00.000Z",
        carrierId: "sim-b",
        attempt: 2,
        tried: ["sim-b"],
        scoreKey: "EE",
        reason: routed.data.reason,
        test: true,
      },
    });
  });

  it("when its reason has no score key, the matched prefix is the key", () => {
    const old = {
      ...routed,
      data: { ...routed.data, reason: { matchedPrefix: "+372", candidates: [] } },
    };
    expect(orderFromRouted(old).data).toMatchObject({ scoreKey: "+372" });
    expect(orderFromRouted(old).data).not.toHaveProperty("test");
  });
});
