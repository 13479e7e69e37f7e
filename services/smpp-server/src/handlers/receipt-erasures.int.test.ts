import type { Database } from "@smsgw/service-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../testing/database.ts";
import { eraseReceiptNumbers } from "./receipt-erasures.ts";

let database: Database<unknown>;
let closeDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ database, close: closeDatabase } = await openTestDatabase());
});
afterAll(() => closeDatabase?.());

async function owe(messageId: string, toNumber: string): Promise<void> {
  const change = { messageId, status: "delivered", toNumber, fromNumber: "MyApp" };
  await database.sql`
    insert into smpp_server.receipts (message_id, account_id, change, expires_at)
    values (${messageId}, 'acc_1', ${JSON.stringify(change)}::text::jsonb, now() + interval '1 hour')`;
}

describe("receipts owed for erased messages", () => {
  it("when a message is erased, its owed receipt keeps the number masked and the others are untouched", async () => {
    await owe("msg_erased", "+37256781234");
    await owe("msg_kept", "+37256789999");
    expect(await eraseReceiptNumbers(database.sql, ["msg_erased", "msg_unknown"])).toBe(1);
    const rows = await database.sql<Array<{ message_id: string; to: string }>>`
      select message_id, change->>'toNumber' as to from smpp_server.receipts order by message_id`;
    expect(rows).toEqual([
      { message_id: "msg_erased", to: "+3725678****" },
      { message_id: "msg_kept", to: "+37256789999" },
    ]);
  });

  it("when an inbound message owed to a bind is erased, it is dropped (nothing left to deliver) and no other is touched", async () => {
    const inbound = {
      type: "InboundDelivery",
      version: 1,
      id: "in_01JD0000000000000000000009",
      accountId: "acc_1",
      url: null,
      from: "+37256785555",
      to: "+37250000001",
      text: "call me",
      parts: 1,
      receivedAt: new Date().toISOString(),
    };
    await database.sql`
      insert into smpp_server.receipts (message_id, account_id, change, expires_at)
      values (${inbound.id}, 'acc_1', ${JSON.stringify(inbound)}::text::jsonb, now() + interval '1 hour')`;
    await owe("msg_beside", "+37256788888");
    expect(await eraseReceiptNumbers(database.sql, [inbound.id])).toBe(1);
    const rows = await database.sql<Array<{ message_id: string }>>`
      select message_id from smpp_server.receipts where message_id in (${inbound.id}, 'msg_beside')`;
    expect(rows).toEqual([{ message_id: "msg_beside" }]);
  });
});
