import { describe, expect, it } from "vitest";
import { createPriceBook } from "./price-book.ts";
import { createPriceList } from "./price-list.ts";
import { quote } from "./quote.ts";

const book = createPriceBook(
  createPriceList([
    { prefix: "+372", country: "EE", pricePerPart: 420, currency: "EUR" },
    { prefix: "+3725", country: "EE", pricePerPart: 400, currency: "EUR" },
  ]),
  [
    { accountId: "acc_a", prefix: "+372", pricePerPart: 300 },
    { accountId: "acc_b", prefix: "+37256", pricePerPart: 100 },
  ],
  (id) => (id === "acc_a" || id === "acc_b" ? "EUR" : undefined),
);
const account = {
  accountId: "acc_a",
  status: "active" as const,
  currency: "EUR",
  blockedCountries: [],
};

describe("per-account prices", () => {
  it("when an account overrides a prefix, it pays the override; others pay the list", () => {
    expect(book.lookup("acc_a", "+3726123456")?.pricePerPart).toBe(300);
    expect(book.lookup("acc_x", "+3726123456")?.pricePerPart).toBe(420);
  });
  it("when the list has a longer (operator) prefix than the override, the longer one wins", () => {
    expect(book.lookup("acc_a", "+37256789045")?.pricePerPart).toBe(400);
    expect(book.lookup("acc_b", "+37256789045")?.pricePerPart).toBe(100);
    expect(book.lookup("acc_b", "+37256789045")?.country).toBe("EE");
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
    expect(quote({ ...account, currency: "USD" }, "+3726123456", null, book)).toMatchObject({
      ok: false,
    });
  });
});
