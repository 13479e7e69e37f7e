import { SubaccountResponse, subjects as subjectsFor } from "@smsgw/contracts";
import { connectNats, createLogger, type Nats } from "@smsgw/service-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountOperations } from "./accounts.ts";
import { startSubaccountResponder } from "./handlers/subaccounts-rpc.ts";
import { createSubaccountOperations } from "./subaccounts.ts";
import {
  estonianPrices,
  openTestAccounts,
  type TestAccounts,
} from "./testing/account-operations.ts";

// A transfer retried under its request key (the Idempotency-Key) after its answer was lost
// between pricing and ingress: the credit moves once, however the two calls meet, and every
// call is answered the balances.
let opened: TestAccounts;
let accounts: AccountOperations;
let nats: Nats;
let responder: { stop(): Promise<void> };
const by = { actor: "api:token", ip: "198.51.100.8" };
const log = createLogger("subaccount-transfer-keys-test", "silent");

beforeAll(async () => {
  opened = await openTestAccounts("subaccount-transfer-keys-test", 6);
  ({ accounts } = opened);
  nats = await connectNats(opened.infra.env.NATS_URL ?? "", "subaccount-transfer-keys-test", log);
  const subjects = subjectsFor(opened.infra.prefix);
  const db = opened.database.db;
  responder = startSubaccountResponder({
    nats,
    subjects,
    db,
    prices: () => estonianPrices,
    log,
    accounts,
  });
});
afterAll(async () => {
  await responder?.stop();
  await nats?.nc.close();
  await opened?.close();
});

/** A parent with 10.00 (100,000 money units) and one sub-account with nothing. */
const family = async (name: string) => {
  const parent = await accounts.createAccount({ name, credits: "10" });
  const child = await accounts.subaccounts.create(parent.accountId, "team", by);
  if (!child.ok) throw new Error(child.message);
  return { parentId: parent.accountId, childId: child.value.accountId };
};
const transfersOf = async (accountId: string) =>
  (await accounts.ledger(accountId)).filter((e) => e.kind === "transfer").map((e) => e.amount);

describe("a sub-account transfer under a request key", () => {
  it("when the same key asks again, the credit moves once and the repeat is answered the balances; another key, or another parent's same key, is another transfer", async () => {
    const { parentId, childId } = await family("keyed-1");
    const first = await accounts.subaccounts.transfer(parentId, childId, 40_000, "", by, "k-1");
    expect(first).toEqual({
      ok: true,
      value: { parentBalance: 60_000, subaccountBalance: 40_000 },
    });
    expect(await accounts.subaccounts.transfer(parentId, childId, 40_000, "", by, "k-1")).toEqual(
      first,
    );
    expect(await transfersOf(parentId)).toEqual([-40_000]);
    expect(await transfersOf(childId)).toEqual([40_000]);
    expect(await accounts.subaccounts.transfer(parentId, childId, 40_000, "", by, "k-2")).toEqual({
      ok: true,
      value: { parentBalance: 20_000, subaccountBalance: 80_000 },
    });
    const other = await family("keyed-1b");
    await accounts.subaccounts.transfer(other.parentId, other.childId, 10_000, "", by, "k-1");
    expect((await accounts.get(other.childId))?.balance).toBe(10_000);
  });

  it("when the same key asks many times at once, the credit moves once and every call is answered", async () => {
    const { parentId, childId } = await family("keyed-2");
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        accounts.subaccounts.transfer(parentId, childId, 30_000, "", by, "k-together"),
      ),
    );
    for (const answer of answers) {
      expect(answer).toEqual({
        ok: true,
        value: { parentBalance: 70_000, subaccountBalance: 30_000 },
      });
    }
    expect(await transfersOf(parentId)).toEqual([-30_000]);
    expect((await accounts.get(childId))?.balance).toBe(30_000);
  });

  it("when the key was used for another transfer, it is refused and nothing moves", async () => {
    const { parentId, childId } = await family("keyed-3");
    await accounts.subaccounts.transfer(parentId, childId, 10_000, "", by, "k-1");
    expect(
      await accounts.subaccounts.transfer(parentId, childId, 20_000, "", by, "k-1"),
    ).toMatchObject({ ok: false, status: "idempotency_key_reused" });
    expect(await transfersOf(parentId)).toEqual([-10_000]);
  });

  it("when a keyed transfer is refused, the key is not spent: a later call under it moves the credit, once", async () => {
    const { parentId, childId } = await family("keyed-4");
    expect(
      await accounts.subaccounts.transfer(parentId, childId, -10_000, "", by, "k-1"),
    ).toMatchObject({ ok: false, status: "low_balance" });
    await accounts.subaccounts.transfer(parentId, childId, 10_000, "", by, "k-2");
    expect(await accounts.subaccounts.transfer(parentId, childId, -10_000, "", by, "k-1")).toEqual({
      ok: true,
      value: { parentBalance: 100_000, subaccountBalance: 0 },
    });
    // Made now: the key holds it, and a third call moves nothing (the balances as they are).
    await accounts.subaccounts.transfer(parentId, childId, 10_000, "", by, "k-3");
    expect(await accounts.subaccounts.transfer(parentId, childId, -10_000, "", by, "k-1")).toEqual({
      ok: true,
      value: { parentBalance: 90_000, subaccountBalance: 10_000 },
    });
  });
});

describe("the transfer request ingress sends with its Idempotency-Key", () => {
  it("when it comes twice with the same requestKey, pricing answers both with the balances and moves the credit once", async () => {
    const { parentId, childId } = await family("keyed-rpc");
    const ask = async () => {
      const request = {
        op: "transfer",
        parentId,
        childId,
        amount: 15_000,
        note: "",
        by,
        requestKey: "k-rpc",
      };
      const reply = await nats.nc.request(
        subjectsFor(opened.infra.prefix).subaccounts,
        JSON.stringify(request),
        {
          timeout: 5_000,
        },
      );
      return SubaccountResponse.parse(reply.json());
    };
    const answer = {
      outcome: "answer",
      httpStatus: 200,
      body: { parentBalance: 85_000, subaccountBalance: 15_000 },
    };
    expect(await ask()).toEqual(answer);
    expect(await Promise.all([ask(), ask()])).toEqual([answer, answer]);
    expect(await transfersOf(childId)).toEqual([15_000]);
  });
});

describe("a sub-account transfer whose accounts are not published", () => {
  it("when the publish after the commit fails, the transfer is answered, not an error", async () => {
    const { parentId, childId } = await family("unpublished");
    const subaccounts = createSubaccountOperations({
      db: opened.database.db,
      createAccount: accounts.createAccount,
      publish: () => Promise.reject(new Error("accounts bucket unavailable")),
      log,
    });
    expect(await subaccounts.transfer(parentId, childId, 25_000, "", by, "k-1")).toEqual({
      ok: true,
      value: { parentBalance: 75_000, subaccountBalance: 25_000 },
    });
    expect(await transfersOf(childId)).toEqual([25_000]);
  });
});
