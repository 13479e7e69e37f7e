import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountOperations } from "./accounts.ts";
import { openTestAccounts, type TestAccounts } from "./testing/account-operations.ts";

// Sub-accounts (issue 22): a whole account under a parent, funded by transfers that move both
// balances in one transaction, each side in its ledger and audit log; one level only.
let opened: TestAccounts;
let database: TestAccounts["database"];
let accounts: AccountOperations;
const by = { actor: "api:token", ip: "198.51.100.8" };

beforeAll(async () => {
  opened = await openTestAccounts("subaccounts-test", 4);
  ({ database, accounts } = opened);
});
afterAll(() => opened?.close());

const created = async (parentId: string, name: string) => {
  const outcome = await accounts.subaccounts.create(parentId, name, by);
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.value;
};

describe("sub-accounts", () => {
  it("when an account creates one, it is a whole account named under the parent, live or test as the parent, with no credit", async () => {
    const parent = await accounts.createAccount({ name: "agency", credits: "10", test: false });
    const child = await created(parent.accountId, "shop-eu");
    expect(child.name).toBe("agency.shop-eu");
    expect(child.token).toMatch(/.{20,}/);
    const summary = await accounts.get(child.accountId);
    expect(summary).toMatchObject({ balance: 0, test: false, currency: "EUR", status: "active" });
    const parentAudit = await accounts.audit(parent.accountId);
    expect(parentAudit.map((e) => [e.action, e.target, e.actor])).toContainEqual([
      "subaccount.created",
      child.accountId,
      "api:token",
    ]);
  });

  it("when a sub-account asks for one of its own, or a name is bad or taken, it is refused", async () => {
    const parent = await accounts.createAccount({ name: "agency-2", credits: "1" });
    const child = await created(parent.accountId, "a");
    expect(await accounts.subaccounts.create(child.accountId, "b", by)).toMatchObject({
      ok: false,
      status: "forbidden",
    });
    expect(await accounts.subaccounts.create(parent.accountId, "Not Valid", by)).toMatchObject({
      ok: false,
      status: "invalid_params",
    });
    expect(await accounts.subaccounts.create(parent.accountId, "a", by)).toMatchObject({
      ok: false,
      status: "invalid_params",
    });
    expect(await accounts.subaccounts.create("acc_nobody", "a", by)).toMatchObject({
      ok: false,
      status: "not_found",
    });
  });

  it("when credit moves to a sub-account and back, both balances change together, each ledger and audit log says so", async () => {
    const parent = await accounts.createAccount({ name: "agency-3", credits: "10" });
    const child = await created(parent.accountId, "team");
    const to = await accounts.subaccounts.transfer(
      parent.accountId,
      child.accountId,
      40_000,
      "dec",
      by,
    );
    expect(to).toEqual({ ok: true, value: { parentBalance: 60_000, subaccountBalance: 40_000 } });
    const back = await accounts.subaccounts.transfer(
      parent.accountId,
      child.accountId,
      -15_000,
      "",
      by,
    );
    expect(back).toEqual({ ok: true, value: { parentBalance: 75_000, subaccountBalance: 25_000 } });
    const ledger = async (id: string) =>
      (await accounts.ledger(id)).filter((e) => e.kind === "transfer").map((e) => e.amount);
    expect(await ledger(parent.accountId)).toEqual([15_000, -40_000]);
    expect(await ledger(child.accountId)).toEqual([-15_000, 40_000]);
    const transfers = (await accounts.audit(child.accountId)).filter(
      (e) => e.action === "credits.transferred",
    );
    expect(transfers.map((e) => [e.target, e.details.amount])).toEqual([
      [parent.accountId, -15_000],
      [parent.accountId, 40_000],
    ]);
  });

  it("when the side that pays has too little, nothing moves", async () => {
    const parent = await accounts.createAccount({ name: "agency-4", credits: "1" });
    const child = await created(parent.accountId, "x");
    expect(
      await accounts.subaccounts.transfer(parent.accountId, child.accountId, 20_000, "", by),
    ).toMatchObject({ ok: false, status: "low_balance" });
    expect(
      await accounts.subaccounts.transfer(parent.accountId, child.accountId, -1, "", by),
    ).toMatchObject({ ok: false, status: "low_balance" });
    expect((await accounts.get(parent.accountId))?.balance).toBe(10_000);
    expect((await accounts.ledger(child.accountId)).filter((e) => e.kind === "transfer")).toEqual(
      [],
    );
  });

  it("when an account names another's sub-account, it is not found and nothing moves", async () => {
    const owner = await accounts.createAccount({ name: "agency-5", credits: "5" });
    const stranger = await accounts.createAccount({ name: "stranger", credits: "5" });
    const child = await created(owner.accountId, "mine");
    expect(
      await accounts.subaccounts.transfer(stranger.accountId, child.accountId, 10_000, "", by),
    ).toMatchObject({ ok: false, status: "not_found" });
    expect(
      await accounts.subaccounts.transfer(stranger.accountId, owner.accountId, -10_000, "", by),
    ).toMatchObject({ ok: false, status: "not_found" });
    expect((await accounts.get(stranger.accountId))?.balance).toBe(50_000);
  });

  it("when many transfers run at once both ways, no credit is made or lost", async () => {
    const parent = await accounts.createAccount({ name: "agency-6", credits: "10" });
    const a = await created(parent.accountId, "a");
    const b = await created(parent.accountId, "b");
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        accounts.subaccounts.transfer(
          parent.accountId,
          i % 2 === 0 ? a.accountId : b.accountId,
          i % 4 < 2 ? 1_000 : -500,
          "",
          by,
        ),
      ),
    );
    const balances = await Promise.all(
      [parent, a, b].map(async (x) => (await accounts.get(x.accountId))?.balance ?? 0),
    );
    expect(balances.reduce((s, v) => s + v, 0)).toBe(100_000);
  });

  it("when the parent lists them, it sees each one's balance and last 30 days' usage", async () => {
    const parent = await accounts.createAccount({ name: "agency-7", credits: "10" });
    const child = await created(parent.accountId, "busy");
    await accounts.subaccounts.transfer(parent.accountId, child.accountId, 30_000, "", by);
    await database.db
      .insertInto("ledger")
      .values([
        {
          account_id: child.accountId,
          kind: "charge",
          amount: -420,
          message_id: "msg_a",
          parts: 1,
          price_per_part: 420,
          actor: "system",
          note: "",
        },
        {
          account_id: child.accountId,
          kind: "charge",
          amount: -840,
          message_id: "msg_b",
          parts: 2,
          price_per_part: 420,
          actor: "system",
          note: "",
        },
        {
          account_id: child.accountId,
          kind: "refund",
          amount: 840,
          message_id: "msg_b",
          actor: "system",
          note: "",
        },
      ])
      .execute();
    const listed = await accounts.subaccounts.list(parent.accountId);
    expect(listed).toMatchObject({
      ok: true,
      value: [
        {
          id: child.accountId,
          name: "agency-7.busy",
          balance: 30_000,
          spentLast30Days: 420,
          messagesLast30Days: 2,
        },
      ],
    });
  });
});

describe("a sub-account's low-balance warning", () => {
  const stampOf = async (accountId: string) =>
    (
      await database.db
        .selectFrom("accounts")
        .select("low_balance_warned_at")
        .where("account_id", "=", accountId)
        .executeTakeFirstOrThrow()
    ).low_balance_warned_at;
  const stamp = (accountId: string) =>
    database.db
      .updateTable("accounts")
      .set({ low_balance_warned_at: new Date() })
      .where("account_id", "=", accountId)
      .execute();

  it("when its parent's transfer brings it back to its threshold, the next fall warns again; the same threshold saved again re-arms nothing, another does", async () => {
    const parent = await accounts.createAccount({ name: "agency-warn", credits: "10" });
    const child = await created(parent.accountId, "warned");
    await accounts.setLowBalanceThreshold(child.accountId, "1", by);
    await stamp(child.accountId); // warned: it fell under 1
    await accounts.subaccounts.transfer(parent.accountId, child.accountId, 5_000, "", by);
    expect(await stampOf(child.accountId)).not.toBeNull(); // 0.5: still under
    await accounts.subaccounts.transfer(parent.accountId, child.accountId, 5_000, "", by);
    expect(await stampOf(child.accountId)).toBeNull(); // 1.0: back to it, armed

    await stamp(child.accountId);
    await accounts.setLowBalanceThreshold(child.accountId, "1", by);
    expect(await stampOf(child.accountId)).not.toBeNull();
    await accounts.setLowBalanceThreshold(child.accountId, "2", by);
    expect(await stampOf(child.accountId)).toBeNull();
  });
});
