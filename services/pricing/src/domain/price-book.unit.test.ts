import { describe, expect, it } from "vitest";
import { createPriceBook } from "./price-book.ts";
import { quote } from "./quote.ts";

const book = createPriceBook(
  [
    { prefix: "+372", country: "EE", pricePerPart: 420, currency: "EUR" },
    { prefix: "+3725", country: "EE", pricePerPart: 400, currency: "EUR" },
    { prefix: "+372", country: "EE", pricePerPart: 470, currency: "USD" },
  ],
  [
    { accountId: "acc_a", prefix: "+372", pricePerPart: 300 },
    { accountId: "acc_b", prefix: "+37256", pricePerPart: 100 },
  ],
  (id) => (id === "acc_a" || id === "acc_b" ? "EUR" : id === "acc_usd" ? "USD" : undefined),
);
const eur = (accountId: string) => ({ accountId, currency: "EUR" });
const account = {
  accountId: "acc_a",
  status: "active" as const,
  currency: "EUR",
  blockedCountries: [],
};

describe("per-account prices", () => {
  it("when an account overrides a prefix, it pays the override; others pay the list", () => {
    expect(book.lookup(eur("acc_a"), "+3726123456")?.pricePerPart).toBe(300);
    expect(book.lookup(eur("acc_x"), "+3726123456")?.pricePerPart).toBe(420);
  });
  it("when the list has a longer (operator) prefix than the override, the longer one wins", () => {
    expect(book.lookup(eur("acc_a"), "+37256789045")?.pricePerPart).toBe(400);
    expect(book.lookup(eur("acc_b"), "+37256789045")?.pricePerPart).toBe(100);
    expect(book.lookup(eur("acc_b"), "+37256789045")?.country).toBe("EE");
  });
  it("when quoting, the country blocked, the account disabled or the currency differs, it refuses", () => {
    expect(quote(account, "+3726123456", null, book)).toMatchObject({ ok: true, country: "EE" });
    expect(
      quote({ ...account, blockedCountries: ["EE"] }, "+3726123456", null, book),
    ).toMatchObject({
      ok: false,
    });
    // The caller's country (libphonenumber) is what is checked when it is known.
    expect(
      quote({ ...account, blockedCountries: ["EE"] }, "+3726123456", "FI", book),
    ).toMatchObject({
      ok: true,
    });
    expect(quote({ ...account, status: "disabled" }, "+3726123456", null, book)).toMatchObject({
      ok: false,
      reason: "the account is disabled",
    });
    expect(quote({ ...account, currency: "GBP" }, "+3726123456", null, book)).toMatchObject({
      ok: false,
      reason: "no price for +3726123456",
    });
  });
  it("when the list prices a prefix in several currencies, an account pays in its own; the list's other currency's longer prefix does not apply", () => {
    const usd = { accountId: "acc_x", currency: "USD" };
    expect(book.lookup(usd, "+3726123456")).toMatchObject({ pricePerPart: 470, currency: "USD" });
    // +3725 is priced in EUR only: a USD account pays its +372.
    expect(book.lookup(usd, "+37256789045")).toMatchObject({ pricePerPart: 470, currency: "USD" });
    expect(
      quote({ ...account, accountId: "acc_x", currency: "USD" }, "+372561", null, book),
    ).toMatchObject({
      ok: true,
      price: { currency: "USD" },
    });
    expect(book.listIn("USD").size).toBe(1);
    expect(book.listIn("GBP").size).toBe(0);
    expect(book.all()).toHaveLength(3);
  });
  it("when an override's prefix is priced only in another currency, its country still comes from the list", () => {
    expect(book.overridesOf("acc_usd")).toEqual([]);
    const usdOnly = createPriceBook(
      [{ prefix: "+372", country: "EE", pricePerPart: 420, currency: "EUR" }],
      [{ accountId: "acc_usd", prefix: "+372", pricePerPart: 500 }],
      () => "USD",
    );
    expect(usdOnly.overridesOf("acc_usd")).toEqual([
      { prefix: "+372", country: "EE", pricePerPart: 500, currency: "USD" },
    ]);
  });
  it("when an account's currency changed after its override was set, the override no longer applies", () => {
    const moved = createPriceBook(
      [{ prefix: "+372", country: "EE", pricePerPart: 470, currency: "USD" }],
      [{ accountId: "acc_usd", prefix: "+372", pricePerPart: 100 }],
      () => "EUR",
    );
    expect(moved.lookup({ accountId: "acc_usd", currency: "USD" }, "+3725")?.pricePerPart).toBe(
      470,
    );
  });
});
