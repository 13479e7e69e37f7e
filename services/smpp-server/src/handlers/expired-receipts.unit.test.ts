import { newMessageId } from "@smsgw/contracts";
import { describe, expect, it } from "vitest";
import type { ExpiredGroup } from "../domain/concat.ts";
import { owedForExpiredParts } from "./receipts.ts";

describe("the receipt owed for a concatenated message whose parts never all came", () => {
  it("when its fate is open (put back after an unknown outcome: it may have been sent), no REJECTD is owed; otherwise one is, when asked for", () => {
    const group = (uncertain: boolean, registeredDelivery = 1): ExpiredGroup => ({
      messageId: newMessageId(Date.now()),
      key: { from: "MyApp", to: "+37256789045" },
      received: 1,
      total: 2,
      registeredDelivery,
      uncertain,
    });
    const keep = { ttlMs: 3_600_000, minKeepMs: 60_000 };
    const owed = (g: ExpiredGroup) =>
      owedForExpiredParts([{ accountId: "acc_1", group: g }], keep, 0);

    expect(owed(group(true))).toEqual([]);
    expect(owed(group(false, 0))).toEqual([]);
    const asked = group(false);
    const [receipt] = owed(asked);
    expect(receipt).toMatchObject({ message_id: asked.messageId, account_id: "acc_1" });
    expect(JSON.parse(receipt?.change ?? "{}")).toMatchObject({
      status: "failed",
      errorCode: "rejected",
      toNumber: "+37256789045",
      parts: 2,
    });
  });
});
