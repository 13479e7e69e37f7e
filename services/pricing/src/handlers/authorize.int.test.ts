import { setTimeout as sleep } from "node:timers/promises";
import { type AuthorizeRequest, newMessageId, subjects as subjectsFor } from "@smsgw/contracts";
import { connectNats, createLogger, type Nats } from "@smsgw/service-kit";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  estonianPrices,
  holdAccountRow,
  insertAccount,
  openTestAccounts,
  type TestAccounts,
} from "../testing/account-operations.ts";
import { type AuthorizeResponder, startAuthorizeResponder } from "./authorize.ts";

// The authorize responder against a stalled account row, on real NATS and Postgres: a door
// that stops waiting answers "not accepted and not charged", and pricing must then not charge.
const log = createLogger("authorize-test", "silent");
let test: TestAccounts;
let nats: Nats;
let responder: AuthorizeResponder;
const db = () => test.database.db;
const subjects = () => subjectsFor(test.infra.prefix);

beforeAll(async () => {
  test = await openTestAccounts("authorize-test", 4);
  nats = await connectNats(test.infra.env.NATS_URL ?? "", "authorize-test", log);
  responder = startAuthorizeResponder({
    nats,
    subjects: subjects(),
    db: db(),
    prices: () => estonianPrices,
    log,
    windowMs: 0,
    maxBatch: 200,
    maxConcurrent: 1,
    commitTimeoutMs: 4_000,
    acceptWindowMs: 60_000,
  });
  await nats.nc.flush();
});
afterAll(async () => {
  await responder?.stop();
  await nats?.nc.close();
  await test?.close();
});

/** As a door asks: with its answerBy, waiting `timeoutMs`; the outcome, or "no answer". */
async function authorize(accountId: string, messageId: string, timeoutMs: number) {
  const request: AuthorizeRequest = {
    messageId,
    accountId,
    to: "+37256789045",
    country: "EE",
    parts: 1,
    answerBy: new Date(Date.now() + timeoutMs).toISOString(),
  };
  try {
    const reply = await nats.nc.request(subjects().authorize, JSON.stringify(request), {
      timeout: timeoutMs,
    });
    return reply.json<{ outcome: string }>().outcome;
  } catch {
    return "no answer";
  }
}

describe("the authorize deadline", () => {
  it("when an account's row is held longer than the door waits, the door hears error or nothing (server_error, not charged) and no charge lands after the row is free", async () => {
    await insertAccount(db(), "acc_held");
    const [first, queued] = [newMessageId(), newMessageId()];
    const holder = await holdAccountRow(db(), "acc_held", 2_500);

    // The second queues behind the first's batch (one commit at a time).
    const answers = await Promise.all([
      authorize("acc_held", first, 1_000),
      sleep(100).then(() => authorize("acc_held", queued, 1_000)),
    ]);
    for (const answer of answers) expect(["error", "no answer"]).toContain(answer);

    await holder.released;
    await sleep(500);
    const { rows } = await sql<{ charges: number; balance: string }>`
      select (select count(*)::int from ledger where message_id in (${first}, ${queued})) as charges,
             (select balance::text from accounts where account_id = 'acc_held') as balance`.execute(
      db(),
    );
    expect(rows[0]).toEqual({ charges: 0, balance: "10000" });
    // Once the row is free, the same message is charged as any other (with a door's time to
    // spare: pricing refuses what it would answer with under half a second left).
    expect(await authorize("acc_held", first, 5_000)).toBe("charged");
  });
});
