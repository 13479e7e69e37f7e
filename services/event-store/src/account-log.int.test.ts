import {
  type AccountLogReader,
  createAccountLogReader,
  InvalidCursorError,
} from "@smsgw/message-read-model";
import { createLogger, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEventStoreConfig } from "./config.ts";
import { migrations } from "./db/migrations.ts";
import { SCHEMA } from "./db/schema.ts";

createLogger("account-log-test", "silent");
let infra: TestInfra;
let sql: postgres.Sql;
let reader: AccountLogReader;
const STATUSES = ["delivered", "delivered", "undelivered", "failed", "sent"] as const;
const day = (d: number, minute: number) => new Date(Date.UTC(2026, 10, d, 10, minute));

beforeAll(async () => {
  infra = await createTestInfra();
  const database = await openServiceDatabase(loadEventStoreConfig(infra.env), SCHEMA, migrations);
  await database.close();
  sql = postgres(infra.database.url, { max: 2, onnotice: () => undefined });
  // 30 projection rows for acc_a over three days, one for acc_b, one not yet accepted.
  const rows = Array.from({ length: 30 }, (_, i) => ({
    message_id: `msg_${String(i).padStart(26, "0")}`,
    account_id: "acc_a",
    accepted: true,
    to_number: i % 3 === 0 ? "+37256789045" : "+37256789046",
    from_number: "MyApp",
    parts: 1,
    cost: 420,
    currency: "EUR",
    created_at: day(20 + (i % 3), i),
    status: STATUSES[i % 5],
    queued_at: day(20 + (i % 3), i),
  }));
  rows.push({ ...rows[0], message_id: "msg_B", account_id: "acc_b" } as never);
  await sql`insert into event_store.messages ${sql(rows)}`;
  await sql`insert into event_store.messages (message_id, account_id) values ('msg_X', 'acc_a')`;
  reader = createAccountLogReader(sql);
});

afterAll(async () => {
  await sql?.end();
  await infra?.cleanup();
});

/** The ids of every page of an account's log, following the cursor (ten pages at most). */
async function everyPage(accountId: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let after: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await reader.listMessages(accountId, {}, { after, limit });
    seen.push(...page.messages.map((m) => m.messageId));
    if (!page.nextCursor) break;
    after = page.nextCursor;
  }
  return seen;
}

describe("an account's message log", () => {
  it("when paged on its cursor, it lists the account's accepted messages newest first, each once", async () => {
    const seen = await everyPage("acc_a", 7);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect(seen).not.toContain("msg_B");
    expect(seen).not.toContain("msg_X");
    const times = await Promise.all(
      seen.slice(0, 3).map(async (id) => (await reader.getMessageDetail(id, "acc_a"))?.createdAt),
    );
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("when filtered by status, destination, dates or messageId, it lists only what matches", async () => {
    const delivered = await reader.listMessages("acc_a", { status: "delivered" }, { limit: 100 });
    expect(delivered.messages).toHaveLength(12);
    expect(delivered.messages.every((m) => m.status === "delivered")).toBe(true);
    const to = await reader.listMessages("acc_a", { to: "+37256789045" }, { limit: 100 });
    expect(to.messages).toHaveLength(10);
    const range = await reader.listMessages(
      "acc_a",
      { since: day(21, 0), until: day(22, 0) },
      { limit: 100 },
    );
    expect(range.messages).toHaveLength(10);
    const one = await reader.listMessages("acc_a", { messageId: "msg_B" }, { limit: 100 });
    expect(one.messages).toEqual([]);
  });

  it("when filtered by sender, it lists only that sender's messages", async () => {
    const mine = await reader.listMessages("acc_a", { from: "MyApp" }, { limit: 1_000 });
    expect(mine.messages).toHaveLength(30);
    expect(mine.nextCursor).toBeNull();
    const none = await reader.listMessages("acc_a", { from: "Other" }, { limit: 100 });
    expect(none.messages).toEqual([]);
  });

  it("when messages differ in creation time below the millisecond, paging one at a time still lists each once", async () => {
    const at = ["12:00:00.123456", "12:00:00.123789", "12:00:00.123100", "12:00:00.123000"];
    // As text cast in SQL: postgres.js would send a Date, which has milliseconds only.
    for (const [i, time] of at.entries()) {
      await sql`insert into event_store.messages (message_id, account_id, accepted, created_at, status)
        values (${`msg_US${i}`}, 'acc_us', true, ${`2026-11-25T${time}Z`}::text::timestamptz, 'delivered')`;
    }
    expect(await everyPage("acc_us", 1)).toEqual(["msg_US1", "msg_US0", "msg_US2", "msg_US3"]);
  });

  it("when counted by day, it answers each UTC day's messages by status", async () => {
    const counts = await reader.countsByDay("acc_a", day(20, 0), day(23, 0));
    const total = counts.reduce((sum, c) => sum + c.count, 0);
    expect(total).toBe(30);
    expect(new Set(counts.map((c) => c.day))).toEqual(
      new Set(["2026-11-20", "2026-11-21", "2026-11-22"]),
    );
  });

  it("when another account asks for a message or a cursor is forged, it answers nothing or refuses", async () => {
    expect(await reader.getMessageDetail("msg_B", "acc_a")).toBeNull();
    expect((await reader.getMessageDetail("msg_B", "acc_b"))?.partOutcomes).toEqual({});
    await expect(reader.listMessages("acc_a", {}, { after: "bm9wZQ", limit: 5 })).rejects.toThrow(
      InvalidCursorError,
    );
  });
});
