import { describe, expect, it } from "vitest";
import { effectivePrices } from "./console-prices.ts";

const base = [
  { prefix: "+372", country: "EE", pricePerPart: 420, currency: "EUR" },
  { prefix: "+371", country: "LV", pricePerPart: 450, currency: "EUR" },
  { prefix: "+1", country: "US", pricePerPart: 90, currency: "EUR" },
];

describe("effectivePrices", () => {
  it("when the account overrides a prefix, it shows the override in place of the list's price", () => {
    const prices = effectivePrices(base, [{ ...base[0], pricePerPart: 100 } as never], "");
    expect(prices.find((p) => p.prefix === "+372")?.pricePerPart).toBe(100);
    expect(prices.map((p) => p.prefix)).toEqual(["+1", "+371", "+372"]);
  });

  it("when searching digits with or without +, it matches prefixes; letters match countries", () => {
    expect(effectivePrices(base, [], "372").map((p) => p.country)).toEqual(["EE"]);
    expect(effectivePrices(base, [], "+37").map((p) => p.country)).toEqual(["LV", "EE"]);
    expect(effectivePrices(base, [], "lv").map((p) => p.prefix)).toEqual(["+371"]);
    expect(effectivePrices(base, [], "xx")).toEqual([]);
  });
});
