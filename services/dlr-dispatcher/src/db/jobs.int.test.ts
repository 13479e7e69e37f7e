import { type Database, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadDlrDispatcherConfig } from "../config.ts";
import type { ReportedChange } from "../domain/report.ts";
import { statusChange } from "../test-stack.ts";
import { createJobStore, type Job, type JobStore } from "./jobs.ts";
import { migrations } from "./migrations.ts";

const A = "http://a.example";
const B = "http://b.example";

function job(origin: string): Omit<Job, "attempts"> {
  const change = statusChange("acc_1", `${origin}/hook`) as ReportedChange;
  return {
    messageId: change.messageId,
    sequence: change.sequence,
    accountId: "acc_1",
    origin,
    change,
  };
}

/** The number a claimed report would send. */
const numberOf = (jobs: Job[], id: string) =>
  (jobs.find((j) => j.messageId === id)?.change as { toNumber?: string } | undefined)?.toNumber;

function inboundJob(id: string): Omit<Job, "attempts"> {
  return {
    messageId: id,
    sequence: 0,
    accountId: "acc_1",
    origin: A,
    change: {
      type: "InboundDelivery",
      version: 1,
      id,
      accountId: "acc_1",
      url: `${A}/mo`,
      from: "+37256785555",
      to: "+37250000001",
      text: "call me",
      parts: 1,
      receivedAt: new Date().toISOString(),
    },
  };
}

describe("the job store on real Postgres", () => {
  let infra: TestInfra;
  let database: Database<unknown>;
  let store: JobStore;
  const past = new Date(Date.now() - 60_000);
  const claim = (limit: number, limited = { origins: [] as string[], free: [] as number[] }) =>
    store.claim({ limit, perOrigin: 2, limited, leaseMs: 60_000 });

  beforeAll(async () => {
    infra = await createTestInfra();
    database = await openServiceDatabase(
      loadDlrDispatcherConfig(infra.env),
      "dispatcher",
      migrations,
    );
    store = createJobStore(database);
  });
  beforeEach(async () => {
    await database.sql`delete from jobs`;
    await database.sql`delete from erased_messages`;
  });
  afterAll(async () => {
    await database?.close();
    await infra?.cleanup();
  });

  it("when the same change is recorded twice, there is one job", async () => {
    const one = job(A);
    await store.insert([one, one], past);
    await store.insert([one], past);
    expect(await store.pending()).toBe(1);
  });

  it("when a message is erased, its waiting reports keep the number masked and others are untouched", async () => {
    const erased = job(A);
    const kept = job(B);
    await store.insert([erased, kept], past);
    expect(await store.eraseNumbers([erased.messageId, "msg_unknown"])).toBe(1);
    const claimed = await claim(10);
    expect(numberOf(claimed, erased.messageId)).toBe("+3725678****");
    expect(numberOf(claimed, kept.messageId)).toBe("+37256789045");
  });

  it("when an inbound message is erased, its waiting delivery is dropped and a report beside it stays", async () => {
    const inbound = inboundJob("in_01JD0000000000000000000007");
    const beside = job(A);
    await store.insert([inbound, beside], past);
    expect(await store.eraseNumbers([inbound.messageId])).toBe(1);
    expect((await claim(10)).map((j) => j.messageId)).toEqual([beside.messageId]);
  });

  it("when a report comes in after its message was erased, it is recorded with the number masked, and an erased inbound message's delivery not at all", async () => {
    const late = job(A);
    const inbound = inboundJob("in_01JD0000000000000000000009");
    const kept = job(B);
    const ids = [late.messageId, inbound.messageId];
    // The erasure notice is handled first; nothing of these is waiting yet.
    expect(await store.eraseNumbers(ids, { remember: ids, forgetBefore: past })).toBe(0);
    await store.insert([late, inbound, kept], past);
    const claimed = await claim(10);
    expect(claimed.map((j) => j.messageId).sort()).toEqual([late.messageId, kept.messageId].sort());
    expect(numberOf(claimed, late.messageId)).toBe("+3725678****");
    expect(numberOf(claimed, kept.messageId)).toBe("+37256789045");
  });

  it("when an erasure is noted, notes older than the retry window are forgotten", async () => {
    const old = job(A);
    await store.eraseNumbers([old.messageId], { remember: [old.messageId], forgetBefore: past });
    await store.eraseNumbers(["msg_other"], {
      remember: [],
      forgetBefore: new Date(Date.now() + 1_000),
    });
    expect(await store.erasedSince(past, 10)).toEqual([]);
    await store.insert([old], past);
    expect((await claim(10))[0]?.change).toMatchObject({ toNumber: "+37256789045" });
  });

  it("when one origin has a large backlog, a claim still takes another origin's job, and at most its share of each", async () => {
    await store.insert(
      Array.from({ length: 50 }, () => job(A)),
      past,
    );
    await store.insert([job(B)], new Date());
    const claimed = await claim(10);
    expect(claimed.filter((j) => j.origin === A)).toHaveLength(2);
    expect(claimed.filter((j) => j.origin === B)).toHaveLength(1);
    // Leased: the same jobs are not claimed again; A gives its next two.
    const again = await claim(10);
    expect(again.map((j) => j.origin)).toEqual([A, A]);
    expect(new Set([...claimed, ...again].map((j) => j.messageId)).size).toBe(5);
  });

  it("when a claim takes fewer than are due, each origin's oldest comes before any origin's second, however old one's backlog", async () => {
    await store.insert(
      Array.from({ length: 10 }, () => job(A)),
      new Date(Date.now() - 3_600_000),
    );
    await store.insert([job(B)], new Date());
    const claimed = await store.claim({
      limit: 2,
      perOrigin: 8,
      limited: { origins: [], free: [] },
      leaseMs: 60_000,
    });
    expect(claimed.map((j) => j.origin).sort()).toEqual([A, B]);
  });

  it("when an origin is limited, it gives only its free slots (none while backing off)", async () => {
    await store.insert([job(A), job(A), job(B), job(B)], past);
    const claimed = await claim(10, { origins: [A, B], free: [0, 1] });
    expect(claimed.map((j) => j.origin)).toEqual([B]);
  });

  it("when jobs are settled, finished ones are deleted and retried ones wait until their due time with their attempt count", async () => {
    await store.insert([job(A), job(B)], past);
    const [first, second] = await claim(10);
    if (!first || !second) throw new Error("nothing claimed");
    await store.settle([
      { kind: "done", job: first },
      { kind: "retry", job: second, attempts: 1, dueAt: new Date(Date.now() - 1) },
    ]);
    expect(await store.pending()).toBe(1);
    expect(await claim(10)).toMatchObject([{ messageId: second.messageId, attempts: 1 }]);
  });

  it("when an origin is postponed, its due jobs leave the claimable set until then; others stay", async () => {
    await store.insert([job(A), job(A), job(B)], past);
    await store.postponeOrigin(A, new Date(Date.now() + 60_000));
    expect((await claim(10)).map((j) => j.origin)).toEqual([B]);
    expect((await store.nextDueAt())?.getTime()).toBeGreaterThan(Date.now());
  });
});
