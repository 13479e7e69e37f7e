import { setTimeout as sleep } from "node:timers/promises";
import { newMessageId } from "@smsgw/contracts";
import { createLogger } from "@smsgw/service-kit";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chargeBatch } from "../db/charges.ts";
import {
  estonianPrices,
  holdAccountRow,
  insertAccount,
  openTestAccounts,
  type TestAccounts,
} from "../testing/account-operations.ts";
import { startSweep } from "./sweep.ts";

// The sweep against charges whose ids and times do not rise together (a batch waited on an
// account's row lock while another batch charged), on real Postgres: every charge never
// accepted is refunded, whatever cut-off the sweep ran at.
const log = createLogger("sweep-test", "silent");
let test: TestAccounts;
const db = () => test.database.db;

beforeAll(async () => {
  test = await openTestAccounts("sweep-test", 4);
});
afterAll(async () => {
  await test?.close();
});

const charge = (accountId: string, messageId: string) =>
  chargeBatch(db(), [{ messageId, accountId, to: "+37256789045", parts: 1 }], estonianPrices);

/** One sweep run deciding the charges made before `cutoff` (ms), the event store holding none. */
async function sweepAt(cutoff: number): Promise<void> {
  const sweep = startSweep({
    db: db(),
    outbox: {
      publishCommitted: () => undefined,
      relayStale: async () => 0,
      settle: async () => {},
    },
    log,
    intervalMs: 600_000,
    graceMs: Math.max(0, Date.now() - cutoff),
    relayAfterMs: 600_000,
    eventStoreCaughtUpTo: async () => Date.now(),
    acceptedAmong: async () => new Set(),
    housekeeping: [],
  });
  await sweep.runOnce();
  await sweep.stop();
}

async function refunds(messageIds: string[]): Promise<Array<{ message_id: string; note: string }>> {
  const { rows } = await sql<{ message_id: string; note: string }>`
    select message_id, note from ledger
    where kind = 'refund' and message_id = any(${messageIds}::text[])
    order by message_id`.execute(db());
  return rows;
}

describe("the settlement sweep", () => {
  it("when a batch waited on a row lock while a later one charged, the sweep at any cut-off leaves neither charge unsettled: both never-accepted charges are refunded", async () => {
    await insertAccount(db(), "acc_a");
    await insertAccount(db(), "acc_b");
    const [first, second] = [newMessageId(), newMessageId()].sort() as [string, string];
    // Someone holds acc_a's row (a refund, a top-up) for a second.
    const holder = await holdAccountRow(db(), "acc_a", 1_000);
    const started = holder.takenAt;
    const waiting = charge("acc_a", first);
    await sleep(300);
    await charge("acc_b", second);
    await Promise.all([holder.released, waiting]);

    // A sweep whose cut-off falls between the first batch's start and the second's charge,
    // then one between the second's charge and the lock's release, then one after both.
    await sweepAt(started + 150);
    await sweepAt(started + 650);
    await sweepAt(Date.now());

    expect(await refunds([first, second])).toEqual([
      { message_id: first, note: "not_accepted" },
      { message_id: second, note: "not_accepted" },
    ]);
  });
});
