import { describe, expect, it } from "vitest";
import { toMessageResource } from "./message-resource.ts";

describe("toMessageResource", () => {
  it("when a view is read, the answer has the decimal cost and no account id", () => {
    const resource = toMessageResource({
      messageId: "msg_01",
      accountId: "acc_1",
      status: "delivered",
      to: "+37256789045",
      from: "MyApp",
      parts: 3,
      cost: 1260,
      currency: "EUR",
      reference: null,
      errorCode: null,
      createdAt: "2026-11-24T10:00:00.000Z",
      updatedAt: "2026-11-24T10:00:01.000Z",
      statusTimes: { queued: "2026-11-24T10:00:00.000Z", delivered: "2026-11-24T10:00:01.000Z" },
      sendAt: "2026-11-24T09:59:00.000Z",
      validUntil: null,
    });
    expect(resource.cost).toBe(0.126);
    expect(resource).toMatchObject({ sendAt: "2026-11-24T09:59:00.000Z", validUntil: null });
    expect(resource).not.toHaveProperty("accountId");
    expect(resource.statusTimes.delivered).toBe("2026-11-24T10:00:01.000Z");
  });
});
