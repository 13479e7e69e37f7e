import { BaseEnv, type Database, loadConfig, openServiceDatabase } from "@smsgw/service-kit";
import { createTestDatabase, type TestDatabase } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accepted } from "../test-support.ts";
import { migrations, ROUTING_SCHEMA } from "./migrations.ts";
import { createScheduleStore, type ScheduleStore } from "./schedule-store.ts";

let database: TestDatabase;
let replicas: Array<{ db: Database<unknown>; store: ScheduleStore }>;

beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig(BaseEnv, { DATABASE_URL: database.url });
  // Two pools, as two replicas of routing would have.
  replicas = [];
  for (let i = 0; i < 2; i++) {
    const db = await openServiceDatabase<unknown>(config, ROUTING_SCHEMA, migrations);
    replicas.push({ db, store: createScheduleStore(db.sql) });
  }
});

afterAll(async () => {
  for (const replica of replicas ?? []) await replica.db.close();
  await database?.drop();
});

const NOW = new Date("2026-12-06T12:00:00.000Z");
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

describe("routing's scheduled messages", () => {
  it("when two replicas take due messages at the same moment, none is taken by both, and none is left", async () => {
    const [a, b] = replicas.map((r) => r.store);
    if (!a || !b) throw new Error("two replicas");
    const events = Array.from({ length: 200 }, (_, i) =>
      accepted(`+3721234${String(i).padStart(4, "0")}`, { sendAt: at(-1_000 - i).toISOString() }),
    );
    await a.insert(events, at(-60_000));
    const taken: string[][] = [[], []];
    await Promise.all(
      [a, b].map(async (store, replica) => {
        for (;;) {
          const claimed = await store.claimDue(NOW, 30_000, 7);
          if (claimed.length === 0) return;
          taken[replica]?.push(...claimed.map((c) => c.event.messageId));
        }
      }),
    );
    const all = [...(taken[0] ?? []), ...(taken[1] ?? [])];
    expect(all.length).toBe(200);
    expect(new Set(all).size).toBe(200);
    // Both worked: the lock is per row, not a queue for the table.
    expect(taken[0]?.length).toBeGreaterThan(0);
    expect(taken[1]?.length).toBeGreaterThan(0);
    await a.markRouted(all, NOW);
  });

  it("when a message is stored twice, it is one row; when it is taken, no one takes it again until its lease ends, and then it counts a second take", async () => {
    const [store] = replicas.map((r) => r.store);
    if (!store) throw new Error("a replica");
    const event = accepted("+37255500001", { sendAt: at(5_000).toISOString() });
    await store.insert([event, event], NOW);
    await store.insert([event], NOW);
    expect(await store.claimDue(NOW, 30_000, 10)).toEqual([]);
    const first = await store.claimDue(at(5_000), 30_000, 10);
    expect(first.map((c) => [c.event.messageId, c.claims])).toEqual([[event.messageId, 1]]);
    expect(first[0]?.event).toEqual(event);
    expect(await store.claimDue(at(20_000), 30_000, 10)).toEqual([]);
    const again = await store.claimDue(at(35_001), 30_000, 10);
    expect(again.map((c) => [c.event.messageId, c.claims])).toEqual([[event.messageId, 2]]);
    await store.markRouted([event.messageId], NOW);
  });

  it("when a message is marked routed, it is never taken again, its content is gone, a repeat of its event does not bring it back, and a day later the row goes", async () => {
    const [replica] = replicas;
    if (!replica) throw new Error("a replica");
    const { store } = replica;
    const event = accepted("+37255500002", { sendAt: at(1_000).toISOString() });
    await store.insert([event], NOW);
    expect(await store.stats(at(2_000))).toMatchObject({ waiting: 1, oldestOverdueSeconds: 1 });
    const [claimed] = await store.claimDue(at(1_000), 30_000, 10);
    expect(claimed?.event.messageId).toBe(event.messageId);
    await store.markRouted([event.messageId], at(1_500));
    await store.insert([event], at(2_000));
    expect(await store.claimDue(at(60_000), 30_000, 10)).toEqual([]);
    expect(await store.stats(at(60_000))).toEqual({ waiting: 0, oldestOverdueSeconds: 0 });
    const [row] = await replica.db.sql<Array<{ event: unknown }>>`
      select event from scheduled where message_id = ${event.messageId}`;
    expect(row?.event).toEqual({});
    expect(await store.purgeRouted(NOW)).toBe(0);
    // Every row of this file was marked routed at NOW or at(1_500), each due by at(5_000): one
    // goes only once it is due as well.
    expect(await store.purgeRouted(at(2_000))).toBe(201);
    expect(await store.purgeRouted(at(5_001))).toBe(1);
  });
});

describe("canceling a scheduled message (ADR 0030)", () => {
  it("when the account cancels it before any replica took it, it is made due and taken as canceled; asked again, still canceled", async () => {
    const [store, other] = replicas.map((r) => r.store);
    if (!store || !other) throw new Error("two replicas");
    const event = accepted("+37255500101", { sendAt: at(3_600_000).toISOString() });
    await store.insert([event], NOW);
    expect(await other.requestCancel(event.accountId, event.messageId, NOW)).toBe("canceled");
    expect(await store.requestCancel(event.accountId, event.messageId, NOW)).toBe("canceled");
    const [taken] = await store.claimDue(NOW, 30_000, 10);
    expect(taken).toMatchObject({ claims: 1, canceled: true });
    expect(taken?.event.messageId).toBe(event.messageId);
    // While its failure is on its way (taken), and after (marked routed): canceled.
    expect(await other.requestCancel(event.accountId, event.messageId, NOW)).toBe("canceled");
    await store.markRouted([event.messageId], NOW);
    expect(await other.requestCancel(event.accountId, event.messageId, NOW)).toBe("canceled");
    expect(await store.claimDue(at(3_600_000), 30_000, 10)).toEqual([]);
  });

  it("when a message canceled days before its sendAt was marked routed a day ago, its row stays until a day past its sendAt", async () => {
    const [store] = replicas.map((r) => r.store);
    if (!store) throw new Error("a replica");
    const day = 86_400_000;
    const event = accepted("+37255500104", { sendAt: at(5 * day).toISOString() });
    await store.insert([event], NOW);
    expect(await store.requestCancel(event.accountId, event.messageId, NOW)).toBe("canceled");
    await store.claimDue(NOW, 30_000, 10);
    await store.markRouted([event.messageId], NOW);
    await store.purgeRouted(at(2 * day));
    expect(await store.requestCancel(event.accountId, event.messageId, at(2 * day))).toBe(
      "canceled",
    );
    await store.purgeRouted(at(6 * day + 1));
    expect(await store.requestCancel(event.accountId, event.messageId, at(6 * day))).toBe(
      "not_scheduled",
    );
  });

  it("when a replica took it first (its sendAt came), it is released: never canceled, even once its lease ran out", async () => {
    const [store] = replicas.map((r) => r.store);
    if (!store) throw new Error("a replica");
    const event = accepted("+37255500102", { sendAt: at(1_000).toISOString() });
    await store.insert([event], NOW);
    const [taken] = await store.claimDue(at(1_000), 30_000, 10);
    expect(taken).toMatchObject({ claims: 1, canceled: false });
    expect(await store.requestCancel(event.accountId, event.messageId, at(2_000))).toBe("released");
    expect(await store.requestCancel(event.accountId, event.messageId, at(40_000))).toBe(
      "released",
    );
    const [again] = await store.claimDue(at(40_000), 30_000, 10);
    expect(again).toMatchObject({ claims: 2, canceled: false });
    await store.markRouted([event.messageId], at(40_000));
  });

  it("when another account asks, or the message is not held, it is not scheduled: nothing changes", async () => {
    const [store] = replicas.map((r) => r.store);
    if (!store) throw new Error("a replica");
    const event = accepted("+37255500103", { sendAt: at(3_600_000).toISOString() });
    await store.insert([event], NOW);
    expect(await store.requestCancel("acc_other", event.messageId, NOW)).toBe("not_scheduled");
    expect(await store.requestCancel(event.accountId, "msg_unknown", NOW)).toBe("not_scheduled");
    expect(await store.claimDue(at(60_000), 30_000, 10)).toEqual([]);
    const [taken] = await store.claimDue(at(3_600_000), 30_000, 10);
    expect(taken).toMatchObject({ canceled: false });
    await store.markRouted([event.messageId], at(3_600_000));
  });

  it("when a cancel and a replica's take meet, exactly one wins: canceled and taken as canceled, or released and taken to be routed", async () => {
    const [store, other] = replicas.map((r) => r.store);
    if (!store || !other) throw new Error("two replicas");
    for (let i = 0; i < 20; i++) {
      const event = accepted(`+3725550020${i % 10}`, { sendAt: at(1_000).toISOString() });
      await store.insert([event], NOW);
      const [outcome, taken] = await Promise.all([
        other.requestCancel(event.accountId, event.messageId, at(1_000)),
        store.claimDue(at(1_000), 30_000, 10),
      ]);
      const rows = [...taken, ...(await store.claimDue(at(1_000), 30_000, 10))];
      expect(rows.map((row) => [row.event.messageId, row.canceled])).toEqual([
        [event.messageId, outcome === "canceled"],
      ]);
      expect(["canceled", "released"]).toContain(outcome);
      await store.markRouted([event.messageId], at(1_000));
    }
  });
});
