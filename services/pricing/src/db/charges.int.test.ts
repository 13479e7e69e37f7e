import { newMessageId } from "@smsgw/contracts";
import { BaseEnv, type Database, loadConfig, openServiceDatabase } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { moveCredits } from "../credit-movements.ts";
import type { ChargeRequest } from "../domain/authorize.ts";
import { createPriceBook } from "../domain/price-book.ts";
import { chargeBatch } from "./charges.ts";
import { migrations, PRICING_SCHEMA } from "./migrations.ts";
import { refundBatch } from "./refunds.ts";
import type { PricingDatabase } from "./schema.ts";

const prices = createPriceBook([
  { prefix: "+372", country: "EE", pricePerPart: 420, currency: "EUR" },
]);
let infra: TestInfra;
/** Two pools: two replicas' transactions really run side by side. */
let first: Database<PricingDatabase>;
let second: Database<PricingDatabase>;

beforeAll(async () => {
  infra = await createTestInfra();
  const config = loadConfig(BaseEnv, infra.env);
  first = await openServiceDatabase<PricingDatabase>(config, PRICING_SCHEMA, migrations);
  second = await openServiceDatabase<PricingDatabase>(config, PRICING_SCHEMA, migrations);
});
afterAll(async () => {
  await first?.close();
  await second?.close();
  await infra?.cleanup();
});

async function account(accountId: string, balance: number): Promise<void> {
  await first.db
    .insertInto("accounts")
    .values({
      account_id: accountId,
      name: accountId,
      hash: `h_${accountId}`,
      token_sha256: "0".repeat(64),
      currency: "EUR",
      test: true,
      balance,
      webhook_secret: "whsec_x",
    })
    .execute();
}

const request = (accountId: string, messageId = newMessageId()): ChargeRequest => ({
  messageId,
  accountId,
  to: "+37256789045",
  parts: 1,
});

async function balance(accountId: string): Promise<string | undefined> {
  const row = await first.db
    .selectFrom("accounts")
    .select("balance")
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return row?.balance;
}

/** Until some session of the test database waits on a lock (the racing batch's write). */
async function untilALockIsAwaited(): Promise<void> {
  await waitFor(async () => {
    const [row] = await first.sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`;
    return (row?.n ?? 0) > 0;
  });
}

describe("the batch charge", () => {
  it("when two replicas charge the same message id at once, it is charged once and both answer charged", async () => {
    await account("acc_twice", 10_000);
    const same = request("acc_twice");
    const [a, b] = await Promise.all([
      chargeBatch(first.db, [same, request("acc_twice")], prices),
      chargeBatch(second.db, [request("acc_twice"), same], prices),
    ]);
    expect(a.responses.every((r) => r.outcome === "charged")).toBe(true);
    expect(b.responses.every((r) => r.outcome === "charged")).toBe(true);
    expect(a.newCharges.length + b.newCharges.length).toBe(3);
    expect(await balance("acc_twice")).toBe(String(10_000 - 3 * 420));
  });

  it("when a balance is past 2^31 units, a batch of any size charges it exactly", async () => {
    const large = 2 ** 33 + 7;
    await account("acc_large", large);
    for (const size of [1, 3, 17]) {
      const decision = await chargeBatch(
        first.db,
        Array.from({ length: size }, () => request("acc_large")),
        prices,
      );
      expect(decision.newCharges).toHaveLength(size);
    }
    expect(await balance("acc_large")).toBe(String(large - 21 * 420));
  });

  it("when another writer charges the message id after the batch looked, the index keeps one charge and the batch decides again", async () => {
    await account("acc_left", 1_000);
    await account("acc_right", 1_000);
    const messageId = newMessageId();
    let racing: Promise<Awaited<ReturnType<typeof chargeBatch>>> | undefined;
    await first.sql.begin(async (tx) => {
      // Uncommitted: the batch does not see this charge and its insert waits on the index.
      await tx`insert into ledger (account_id, kind, amount, message_id, parts, price_per_part, actor)
               values ('acc_left', 'charge', -420, ${messageId}, 1, 420, 'other')`;
      racing = chargeBatch(second.db, [request("acc_right", messageId)], prices);
      await untilALockIsAwaited();
    });
    const decision = await racing;
    expect(decision?.responses).toEqual([
      { outcome: "error", reason: "message id already charged to another account" },
    ]);
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from ledger where message_id = ${messageId}`.execute(first.db);
    expect(rows[0]?.n).toBe("1");
    expect(await balance("acc_right")).toBe("1000");
  });

  it("when another writer spends the balance after the batch looked, the batch decides again and refuses: the balance never goes below zero", async () => {
    await account("acc_spent", 420);
    let racing: Promise<Awaited<ReturnType<typeof chargeBatch>>> | undefined;
    await first.sql.begin(async (tx) => {
      // Uncommitted: the batch reads 420, decides to charge, and its write waits on the row.
      await tx`update accounts set balance = 0 where account_id = 'acc_spent'`;
      racing = chargeBatch(second.db, [request("acc_spent")], prices);
      await untilALockIsAwaited();
    });
    const decision = await racing;
    expect(decision?.responses).toEqual([expect.objectContaining({ outcome: "low_balance" })]);
    expect(await balance("acc_spent")).toBe("0");
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from ledger where account_id = 'acc_spent'`.execute(first.db);
    expect(rows[0]?.n).toBe("0");
  });

  it("when a batch charges, each charge is its ledger row alone: no pending row, no outbox event", async () => {
    await account("acc_pending", 10_000);
    const charged = [request("acc_pending"), request("acc_pending")];
    const decision = await chargeBatch(first.db, charged, prices);
    expect(decision.newCharges).toHaveLength(2);
    const ledger = await first.db
      .selectFrom("ledger")
      .select("message_id")
      .where("account_id", "=", "acc_pending")
      .where("kind", "=", "charge")
      .execute();
    expect(ledger.map((row) => row.message_id).sort()).toEqual(
      charged.map((r) => r.messageId).sort(),
    );
    const { rows } = await sql<{ pending: string; outbox: string }>`
      select (select count(*) from pending_charges) as pending,
        (select count(*) from outbox) as outbox`.execute(first.db);
    expect(rows[0]).toEqual({ pending: "0", outbox: "0" });
  });

  it("when a charge was refunded, a retry of its message id is answered by the refund's reason: failed (accepted, then failed) gets the first charge again, not_accepted gets refunded; neither is charged again", async () => {
    await account("acc_refunded", 10_000);
    const failed = request("acc_refunded");
    const neverAccepted = request("acc_refunded");
    const [firstAnswer] = (await chargeBatch(first.db, [failed, neverAccepted], prices, 60_000))
      .responses;
    await refundBatch(first.db, [
      { messageId: failed.messageId, reason: "failed" },
      { messageId: neverAccepted.messageId, reason: "not_accepted" },
    ]);

    const retried = await chargeBatch(first.db, [failed, neverAccepted], prices, 60_000);

    // The message stands: the door answers it, outcome_unknown with its id, and never
    // publishes it again (its window is closed: publishBy is the charge's own time).
    expect(firstAnswer).toMatchObject({ outcome: "charged", publishBy: expect.any(String) });
    const { publishBy: firstBy, ...firstCharge } = firstAnswer as { publishBy: string };
    const { publishBy: replayBy, ...replayCharge } = retried.responses[0] as { publishBy: string };
    expect(replayCharge).toEqual(firstCharge);
    expect(Date.parse(replayBy)).toBe(Date.parse(firstBy) - 60_000);
    expect(Date.parse(replayBy)).toBeLessThan(Date.now());
    expect(retried.responses[1]).toEqual({ outcome: "refunded" });
    expect(retried.newCharges).toEqual([]);
    expect(await balance("acc_refunded")).toBe("10000");
  });

  it("when a batch only replays and refuses, it writes nothing", async () => {
    await account("acc_quiet", 100);
    const decision = await chargeBatch(first.db, [request("acc_quiet")], prices);
    expect(decision.responses[0]?.outcome).toBe("low_balance");
    expect(decision.newCharges).toEqual([]);
    expect(await balance("acc_quiet")).toBe("100");
  });

  it("when two replicas' batches together take a balance below its threshold, exactly one warning is written, by the batch that crossed", async () => {
    await account("acc_cross", 5_000);
    await first.db
      .updateTable("accounts")
      .set({ low_balance_threshold: 3_000, default_callback_url: "https://example.com/hooks" })
      .where("account_id", "=", "acc_cross")
      .execute();
    // 5,000 - 8 x 420 = 1,640: one of the batches crosses 3,000, whichever commits second.
    const batch = () => Array.from({ length: 4 }, () => request("acc_cross"));
    const [a, b] = await Promise.all([
      chargeBatch(first.db, batch(), prices),
      chargeBatch(second.db, batch(), prices),
    ]);
    const warnings = [...a.balanceWarnings, ...b.balanceWarnings];
    expect(warnings).toEqual([
      expect.objectContaining({
        type: "AccountBalanceLow",
        accountId: "acc_cross",
        balance: 1_640,
        threshold: 3_000,
        currency: "EUR",
        callbackUrl: "https://example.com/hooks",
      }),
    ]);
    const outbox = await first.db
      .selectFrom("outbox")
      .select("event_id")
      .where("event_id", "like", "acc_cross:balance_low:%")
      .execute();
    expect(outbox.map((row) => row.event_id)).toEqual([warnings[0]?.eventId]);

    // Below already: a further charge writes none.
    const below = await chargeBatch(first.db, [request("acc_cross")], prices);
    expect(below.balanceWarnings).toEqual([]);
  });

  it("when a refund lifts the balance back over its threshold, the next fall does not warn again; a top-up to it re-arms the warning", async () => {
    await account("acc_hover", 3_100);
    await first.db
      .updateTable("accounts")
      .set({ low_balance_threshold: 3_000 })
      .where("account_id", "=", "acc_hover")
      .execute();
    const fall = async () => {
      const charged = request("acc_hover");
      const decision = await chargeBatch(first.db, [charged], prices);
      return { messageId: charged.messageId, warned: decision.balanceWarnings.length };
    };
    const first1 = await fall(); // 3,100 -> 2,680: warns
    expect(first1.warned).toBe(1);
    // The message failed: refunded, 3,100 again, over the threshold.
    await refundBatch(first.db, [{ messageId: first1.messageId, reason: "failed" }]);
    expect(await balance("acc_hover")).toBe("3100");
    expect((await fall()).warned).toBe(0); // the same fall again: warned once already
    await moveCredits(first.db, {
      account: "acc_hover",
      kind: "topup",
      units: 1_000,
      actor: "test",
      note: "",
      by: { actor: "test", ip: null },
    }); // 2,680 + 1,000 = 3,680: over the threshold by a credit
    expect((await fall()).warned).toBe(0); // 3,260: still over
    const rearmed = await fall(); // 2,840: under, armed again
    expect(rearmed.warned).toBe(1);

    // A refund lifts it over again, no top-up: the next fall stays quiet…
    await refundBatch(first.db, [{ messageId: rearmed.messageId, reason: "failed" }]);
    const quiet = await fall(); // 3,260 -> 2,840
    expect(quiet.warned).toBe(0);
    // …unless its warning is over a day old: then it warns again.
    await refundBatch(first.db, [{ messageId: quiet.messageId, reason: "failed" }]);
    await first.db
      .updateTable("accounts")
      .set({ low_balance_warned_at: new Date(Date.now() - 2 * 86_400_000) })
      .where("account_id", "=", "acc_hover")
      .execute();
    expect(await balance("acc_hover")).toBe("3260");
    expect((await fall()).warned).toBe(1);
  });

  it("when an account has no threshold, a charge writes no warning", async () => {
    await account("acc_no_threshold", 1_000);
    const decision = await chargeBatch(first.db, [request("acc_no_threshold")], prices);
    expect(decision.balanceWarnings).toEqual([]);
  });
});
