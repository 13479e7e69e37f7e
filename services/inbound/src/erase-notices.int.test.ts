import { newMessageId, RETENTION_POLICY_KEY, type RetentionPolicy } from "@smsgw/contracts";
import {
  createLogger,
  type Database,
  numberErasedNotice,
  openServiceDatabase,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, tablesContaining } from "@smsgw/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadInboundConfig } from "./config.ts";
import { createErasureStore, type ErasureStore } from "./db/erasure-store.ts";
import { createMessageStore } from "./db/messages-store.ts";
import { INBOUND_SCHEMA, migrations } from "./db/migrations.ts";
import { handleNumberErased } from "./handlers/number-erasures.ts";
import { runInboundRetention } from "./handlers/retention.ts";

/**
 * The erasure notices of MO (ADR 0021, amendment of 2026-12-08), on real Postgres: an erasure
 * whose `MessagesErased` failed after its commit has it sent again (the retention job's next
 * run, erase-number's redelivery), once. The handlers run here without the service (whose own
 * retention job would send the waiting notices first); the notices are recorded, not published.
 */

const log = createLogger("inbound-erase-notices-test", process.env.TEST_LOG_LEVEL ?? "silent");
const OWNED = "+37250000301";
const DAY_MS = 86_400_000;

let infra: TestInfra;
let database: Database<unknown>;
let erasure: ErasureStore;
let record: ReturnType<typeof createMessageStore>["record"];

/** The notices the holders got, one entry per publish. */
const notices: string[][] = [];
/** While true, the stream stores no notice (JetStream briefly unavailable). */
let outage = false;
const notifyErased = async (ids: readonly string[]) => {
  if (outage) throw new Error("JetStream not available");
  notices.push([...ids]);
};
const noticed = () => notices.flat();

beforeAll(async () => {
  infra = await createTestInfra();
  database = await openServiceDatabase(loadInboundConfig(infra.env), INBOUND_SCHEMA, migrations);
  erasure = createErasureStore(database);
  record = createMessageStore(database).record;
}, 60_000);

afterAll(async () => {
  await database?.close();
  await infra?.cleanup();
});

beforeEach(() => {
  notices.length = 0;
  outage = false;
});

/** A handset number no other test uses. */
const handset = () => `+3725${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

/** An MO of `accountId` from `from`, stored as the service stores a lone one. */
async function storedMo(accountId: string, from: string, receivedAt = new Date()) {
  const text = `secret ${Math.random().toString(36).slice(2, 10)}`;
  const message = await record({
    id: `in_${newMessageId().slice(4)}`,
    accountId,
    carrierId: "sim-a",
    from,
    to: OWNED,
    text,
    parts: 1,
    receivedAt: receivedAt.toISOString(),
    streamSeqs: [],
  });
  return { id: message.id, text };
}

async function waitingNotices(): Promise<string[]> {
  const rows = await database.sql<Array<{ message_id: string }>>`
    select message_id from inbound.erase_notices order by message_id`;
  return rows.map((row) => row.message_id);
}

/** acc_notice keeps its MO one day; everyone else, 30. */
const policy: RetentionPolicy = { defaultDays: 30, accounts: { acc_notice: 1 } };
const retention = () =>
  runInboundRetention({
    erasure,
    bucket: {
      get: async (key) =>
        key === RETENTION_POLICY_KEY ? { operation: "PUT", json: () => policy } : null,
    },
    batch: 2,
    maxBatches: 100,
    notifyErased,
    log,
    now: () => new Date(),
  });

describe("the retention job's erasure notices", () => {
  it("when a run's notice is not stored, the next run sends it, and the run after does not send it again", async () => {
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    const first = await storedMo("acc_notice", handset(), twoDaysAgo);
    outage = true;
    await expect(retention()).rejects.toThrow(/not available/);
    // Erased all the same (the commit came first); its notice waits.
    expect(await tablesContaining(database.sql, first.text)).toEqual([]);
    expect(await waitingNotices()).toContain(first.id);

    // Still down at the next run: its resend fails, and the erasing goes on regardless.
    const second = await storedMo("acc_notice", handset(), twoDaysAgo);
    await expect(retention()).rejects.toThrow(/not available/);
    expect(await tablesContaining(database.sql, second.text)).toEqual([]);
    expect(noticed()).toEqual([]);

    outage = false;
    await retention();
    expect(noticed()).toEqual(expect.arrayContaining([first.id, second.id]));
    const waiting = await waitingNotices();
    expect(waiting).not.toContain(first.id);
    expect(waiting).not.toContain(second.id);

    // Stored: a later run does not send them again.
    notices.length = 0;
    expect(await retention()).toBe(0);
    expect(noticed()).not.toContain(first.id);
    expect(noticed()).not.toContain(second.id);
  });
});

describe("erase-number's erasure notices", () => {
  const delivery = (number: string, deliveryCount: number) => ({
    value: numberErasedNotice(number),
    subject: "number_erased",
    deliveryCount,
    seq: 1,
    headers: undefined,
  });
  const handle = (batch: ReturnType<typeof delivery>[]) =>
    handleNumberErased({ erasure, joinWithinMs: 1_000, notifyErased, log, now: () => new Date() })(
      batch,
    );

  it("when the notice is not stored, the delivery is not acked, and its redelivery sends the notice, once", async () => {
    const person = handset();
    const mos = [await storedMo("acc_number", person), await storedMo("acc_number", person)];
    const ids = mos.map((m) => m.id);
    outage = true;
    await expect(handle([delivery(person, 1)])).rejects.toThrow(/not available/);
    // Erased all the same; the notice waits for the redelivery.
    for (const mo of mos) expect(await tablesContaining(database.sql, mo.text)).toEqual([]);
    expect(await tablesContaining(database.sql, person)).toEqual([]);
    expect(await waitingNotices()).toEqual(expect.arrayContaining(ids));

    outage = false;
    expect(await handle([delivery(person, 2)])).toEqual([{ kind: "ack" }]);
    expect(noticed()).toEqual(expect.arrayContaining(ids));
    expect((await waitingNotices()).filter((id) => ids.includes(id))).toEqual([]);

    // Stored: the retention job's next run does not send it again.
    notices.length = 0;
    await retention();
    expect(noticed().filter((id) => ids.includes(id))).toEqual([]);
  });

  it("when the notice is sent at once, nothing waits after the ack", async () => {
    const person = handset();
    const mo = await storedMo("acc_number", person);
    expect(await handle([delivery(person, 1)])).toEqual([{ kind: "ack" }]);
    expect(notices).toEqual([[mo.id]]);
    expect(await waitingNotices()).not.toContain(mo.id);
  });
});
