import { describe, expect, it } from "vitest";
import { createPriceList, isPrefix, type Price } from "./price-list.ts";

const price = (prefix: string, pricePerPart: number, country = "XX"): Price => ({
  prefix,
  country,
  pricePerPart,
  currency: "EUR",
});

describe("longest-prefix price match", () => {
  const list = createPriceList([
    price("+1", 100, "US"),
    price("+1242", 900, "BS"),
    price("+372", 420, "EE"),
    price("+3725", 380, "EE"),
  ]);

  it("when a longer prefix matches, it wins over a shorter one", () => {
    expect(list.lookup("+12425551234")?.pricePerPart).toBe(900);
    expect(list.lookup("+37256789045")?.pricePerPart).toBe(380);
  });

  it("when only the short prefix matches, the short prefix prices it", () => {
    expect(list.lookup("+12125551234")?.pricePerPart).toBe(100);
    expect(list.lookup("+1242")?.pricePerPart).toBe(900);
    expect(list.lookup("+124")?.pricePerPart).toBe(100);
    expect(list.lookup("+3726123456")?.pricePerPart).toBe(420);
  });

  it("when no prefix matches, or the number is not E.164, there is no price", () => {
    expect(list.lookup("+81312345678")).toBeUndefined();
    expect(list.lookup("37256789045")).toBeUndefined();
    expect(list.lookup("")).toBeUndefined();
    expect(list.lookup("+")).toBeUndefined();
  });

  it("when the list is built from bad or duplicate prefixes, it refuses", () => {
    expect(() => createPriceList([price("372", 1)])).toThrow(/invalid/);
    expect(() => createPriceList([price("+1", 1), price("+1", 2)])).toThrow(/duplicate/);
    expect(isPrefix("+1234567890123456")).toBe(false);
    expect(isPrefix("+44")).toBe(true);
  });

  it("when empty, it prices nothing", () => {
    const empty = createPriceList([]);
    expect(empty.size).toBe(0);
    expect(empty.lookup("+37256789045")).toBeUndefined();
  });
});
