import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountOperations } from "./accounts.ts";
import { loadPriceBook } from "./db/prices.ts";
import { createPriceOperations, type PriceOperations } from "./prices-admin.ts";
import {
  holdAccountRow,
  openTestAccounts,
  type TestAccounts,
} from "./testing/account-operations.ts";

// Each change of an account's price overrides records one audit entry in its own transaction,
// with the price before and after (money units per part; null: none, the price list applies).
let opened: TestAccounts;
let accounts: AccountOperations;
let prices: PriceOperations;

beforeAll(async () => {
  opened = await openTestAccounts("prices-admin-test", 4);
  ({ accounts } = opened);
  prices = createPriceOperations(opened.database.db);
});
afterAll(() => opened?.close());

const by = { actor: "operator:bob", ip: "192.0.2.44" };

/** The account's override entries, oldest first. */
async function overrideChanges(accountId: string) {
  return (await accounts.audit(accountId))
    .filter((e) => e.action.startsWith("price_override."))
    .reverse()
    .map((e) => [e.action, e.target, e.actor, e.ip, e.details]);
}

describe("the audit log of price overrides", () => {
  it("when an override is set, changed and removed, it records one entry each with the price before and after", async () => {
    const { accountId } = await accounts.createAccount({ name: "override-audit", credits: "1" });
    await prices.setOverride(accountId, "+372", "0.03", "cli:bob", by);
    await prices.setOverride("override-audit", "+372", "0.025", "cli:alice");
    expect(await prices.removeOverride(accountId, "+372", by)).toBe(true);
    expect(await prices.overrides(accountId)).toEqual([]);
    expect(await overrideChanges(accountId)).toEqual([
      [
        "price_override.set",
        "+372",
        "operator:bob",
        "192.0.2.44",
        { currency: "EUR", before: null, after: 300 },
      ],
      [
        "price_override.set",
        "+372",
        "cli:alice",
        null,
        { currency: "EUR", before: 300, after: 250 },
      ],
      [
        "price_override.removed",
        "+372",
        "operator:bob",
        "192.0.2.44",
        { currency: "EUR", before: 250, after: null },
      ],
    ]);
  });

  it("when there is nothing to remove or the change is refused, it records nothing", async () => {
    const { accountId } = await accounts.createAccount({ name: "override-none", credits: "1" });
    expect(await prices.removeOverride(accountId, "+372", by)).toBe(false);
    await expect(prices.setOverride(accountId, "372", "0.03", "cli:bob", by)).rejects.toThrow(
      /prefix/,
    );
    await expect(prices.setOverride(accountId, "+372", "0.00001", "cli:bob", by)).rejects.toThrow(
      /price/,
    );
    expect(await overrideChanges(accountId)).toEqual([]);
  });

  it("when two operators set a new override at once, the entries chain: the second's before is the first's after", async () => {
    const { accountId } = await accounts.createAccount({ name: "override-race", credits: "1" });
    // The account's row held while both start: their writes meet in the database.
    const held = await holdAccountRow(opened.database.db, accountId, 300);
    await Promise.all([
      prices.setOverride(accountId, "+371", "0.01", "cli:ann", by),
      prices.setOverride(accountId, "+371", "0.02", "cli:bob", by),
    ]);
    await held.released;
    const details = (await overrideChanges(accountId)).map((e) => e[4] as Record<string, unknown>);
    expect(details).toHaveLength(2);
    expect(details[0]?.before).toBeNull();
    expect(details[1]?.before).toBe(details[0]?.after);
    const [stored] = await prices.overrides(accountId);
    expect(stored?.pricePerPart).toBe(details[1]?.after);
  });
});

describe("the price list in several currencies", () => {
  it("when the list prices a prefix in EUR and USD, both are stored; an account pays in its own currency; a load of one currency's price leaves the other's", async () => {
    await prices.load(
      "prefix,country,price_per_part,currency\n+372,EE,0.0420,EUR\n+372,EE,0.0455,USD\n",
      true,
    );
    const book = await loadPriceBook(opened.database.db);
    expect(book.lookup({ accountId: "acc_eur", currency: "EUR" }, "+37256789045")).toMatchObject({
      pricePerPart: 420,
      currency: "EUR",
    });
    expect(book.lookup({ accountId: "acc_usd", currency: "USD" }, "+37256789045")).toMatchObject({
      pricePerPart: 455,
      currency: "USD",
    });
    expect(book.lookup({ accountId: "acc_gbp", currency: "GBP" }, "+37256789045")).toBeUndefined();

    await prices.load("prefix,country,price_per_part,currency\n+372,EE,0.0500,USD\n", false);
    expect((await prices.list()).map((p) => [p.prefix, p.currency, p.pricePerPart])).toEqual([
      ["+372", "EUR", 420],
      ["+372", "USD", 500],
    ]);
    // Replacing with a file of EUR prices replaces the EUR list only.
    const replaced = await prices.load(
      "prefix,country,price_per_part,currency\n+371,LV,0.0450,EUR\n",
      true,
    );
    expect(replaced).toEqual({ stored: 1, removed: 1 });
    expect((await prices.list()).map((p) => [p.prefix, p.currency, p.pricePerPart])).toEqual([
      ["+371", "EUR", 450],
      ["+372", "USD", 500],
    ]);
  });
});
