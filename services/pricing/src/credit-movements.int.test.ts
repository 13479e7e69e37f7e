import { createLogger } from "@smsgw/service-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccountOperations, createAccountOperations } from "./accounts.ts";
import {
  holdAccountRow,
  openTestAccounts,
  type TestAccounts,
} from "./testing/account-operations.ts";

// A credit movement with a caller's reference happens at most once per account and reference,
// on real Postgres: retries, concurrent retries and a restarted process credit once.
let opened: TestAccounts;
let accounts: AccountOperations;

beforeAll(async () => {
  opened = await openTestAccounts("credit-movements-test", 6);
  ({ accounts } = opened);
});
afterAll(() => opened?.close());

const OPERATOR = { actor: "operator:bob", ip: "192.0.2.44" };

/** The account's ledger rows, oldest first: kind, amount (units), reference. */
async function ledgerOf(accountId: string) {
  const entries = await accounts.ledger(accountId);
  return entries.reverse().map((e) => [e.kind, e.amount, e.reference]);
}

describe("a top-up with a reference", () => {
  it("when it is retried with the same amount, the first top-up is answered as a replay and nothing is credited again", async () => {
    const { accountId } = await accounts.createAccount({ name: "ref-retry", credits: "1" });
    const first = await accounts.topUp(accountId, "5", "cli:bob", "invoice 7", OPERATOR, "pay_1");
    expect(first).toMatchObject({ balance: 60_000, replayed: false });
    expect(first.entry).toMatchObject({ kind: "topup", amount: 50_000, reference: "pay_1" });

    // Named by its name this time, with other words in the note: still the same movement.
    const again = await accounts.topUp("ref-retry", "5.0", "cli:bob", "retry", OPERATOR, "pay_1");
    expect(again).toMatchObject({ balance: 60_000, replayed: true });
    expect(again.entry).toEqual(first.entry);

    // A restarted process (another set of operations on the same database) knows it too.
    const restarted = createAccountOperations({
      db: opened.database.db,
      kv: { put: async () => undefined },
      log: createLogger("credit-movements-test", "silent"),
    });
    expect(await restarted.topUp(accountId, "5", "cli:bob", "", OPERATOR, "pay_1")).toMatchObject({
      balance: 60_000,
      replayed: true,
    });

    expect(await ledgerOf(accountId)).toEqual([
      ["topup", 10_000, null],
      ["topup", 50_000, "pay_1"],
    ]);
    const audit = (await accounts.audit(accountId)).filter((e) => e.action !== "account.created");
    expect(audit.map((e) => [e.action, e.details])).toEqual([
      [
        "credits.topped_up",
        { amount: 50_000, currency: "EUR", note: "invoice 7", reference: "pay_1" },
      ],
    ]);
  });

  it("when the same reference comes with another amount or as an adjustment, it is refused as reused and nothing moves", async () => {
    const { accountId } = await accounts.createAccount({ name: "ref-conflict", credits: "0" });
    await accounts.topUp(accountId, "5", "cli:bob", "", OPERATOR, "pay_2");
    await expect(
      accounts.topUp(accountId, "6", "cli:bob", "", OPERATOR, "pay_2"),
    ).rejects.toMatchObject({
      code: "reference_reused",
      message: expect.stringMatching(/"pay_2" is already entry \d+ of this account, a topup of 5/),
    });
    await expect(
      accounts.adjust(accountId, "5", "cli:bob", "why", OPERATOR, "pay_2"),
    ).rejects.toMatchObject({ code: "reference_reused" });
    expect(await ledgerOf(accountId)).toEqual([["topup", 50_000, "pay_2"]]);
    expect((await accounts.get(accountId))?.balance).toBe(50_000);
  });

  it("when two accounts use the same reference, each is credited: a reference is the account's own", async () => {
    const a = await accounts.createAccount({ name: "ref-own-a", credits: "0" });
    const b = await accounts.createAccount({ name: "ref-own-b", credits: "0" });
    await accounts.topUp(a.accountId, "1", "cli:bob", "", OPERATOR, "batch-9");
    const other = await accounts.topUp(b.accountId, "1", "cli:bob", "", OPERATOR, "batch-9");
    expect(other).toMatchObject({ balance: 10_000, replayed: false });
  });

  it("when retries of one top-up run at once, the account is credited once and every retry is answered with that one top-up", async () => {
    const { accountId } = await accounts.createAccount({ name: "ref-concurrent", credits: "0" });
    // The account's row held while the retries start, so that they meet in the database.
    const held = await holdAccountRow(opened.database.db, accountId, 300);
    const retries = await Promise.all(
      Array.from({ length: 4 }, () =>
        accounts.topUp(accountId, "2.5", "webhook", "payment", OPERATOR, "evt_42"),
      ),
    );
    await held.released;
    expect(retries.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(retries.map((r) => r.entry.id)).size).toBe(1);
    expect(await ledgerOf(accountId)).toEqual([["topup", 25_000, "evt_42"]]);
    expect((await accounts.get(accountId))?.balance).toBe(25_000);
    const audit = await accounts.audit(accountId);
    expect(audit.filter((e) => e.action === "credits.topped_up")).toHaveLength(1);
  });

  it("when a reference is not 1-255 visible ASCII characters, it is refused as invalid input", async () => {
    const { accountId } = await accounts.createAccount({ name: "ref-invalid", credits: "0" });
    for (const reference of ["", "invoice 42", "x".repeat(256)]) {
      await expect(
        accounts.topUp(accountId, "1", "cli:bob", "", OPERATOR, reference),
      ).rejects.toMatchObject({ code: "invalid_input" });
    }
    expect(await ledgerOf(accountId)).toEqual([]);
  });
});

describe("an adjustment with a reference", () => {
  it("when it is retried, it moves once; one refused below zero leaves its reference unused", async () => {
    const { accountId } = await accounts.createAccount({ name: "ref-adjust", credits: "2" });
    await expect(
      accounts.adjust(accountId, "-5", "cli:bob", "fee", OPERATOR, "corr_1"),
    ).rejects.toThrow(/below zero/);
    const first = await accounts.adjust(accountId, "-1.5", "cli:bob", "fee", OPERATOR, "corr_1");
    const again = await accounts.adjust(accountId, "-1.5", "cli:bob", "fee", OPERATOR, "corr_1");
    expect(first).toMatchObject({ balance: 5_000, replayed: false });
    expect(again).toMatchObject({ balance: 5_000, replayed: true, entry: first.entry });
    expect(await ledgerOf(accountId)).toEqual([
      ["topup", 20_000, null],
      ["adjustment", -15_000, "corr_1"],
    ]);
  });
});
