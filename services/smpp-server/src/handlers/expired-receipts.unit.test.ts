import { newMessageId } from "@smsgw/contracts";
import { createLogger } from "@smsgw/service-kit";
import type postgres from "postgres";
import { describe, expect, it } from "vitest";
import type { ExpiredGroup } from "../domain/concat.ts";
import { oweExpiredPartsReceipts } from "./receipts.ts";

describe("the receipt owed for a concatenated message whose parts never all came", () => {
  it("when its fate is open (put back after an unknown outcome: it may have been sent), no REJECTD is stored; otherwise one is, when asked for", async () => {
    const stored: unknown[] = [];
    const sql = ((...args: unknown[]) => {
      stored.push(args);
      return Promise.resolve([]);
    }) as unknown as postgres.Sql;
    const owe = oweExpiredPartsReceipts({
      sql,
      keep: { ttlMs: 3_600_000, minKeepMs: 60_000 },
      poke: () => undefined,
      log: createLogger("test", "silent"),
      now: Date.now,
    });
    const group = (
      uncertain: boolean,
      registeredDelivery = 1,
    ): ExpiredGroup<{
      registeredDelivery: number;
    }> => ({
      messageId: newMessageId(Date.now()),
      key: { from: "MyApp", to: "+37256789045" },
      received: 1,
      total: 2,
      values: [{ registeredDelivery }],
      uncertain,
    });
    owe("acc_1", group(true));
    owe("acc_1", group(false, 0));
    expect(stored).toHaveLength(0);
    owe("acc_1", group(false));
    expect(stored).toHaveLength(1);
  });
});
