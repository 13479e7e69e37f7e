import { describe, expect, it } from "vitest";
import { PriceCsvError, parsePriceCsv } from "./price-csv.ts";

describe("price list CSV", () => {
  it("when the file is well formed, prices become exact money units", () => {
    const prices = parsePriceCsv(
      "prefix,country,price_per_part,currency\n# Baltics\n+372,EE,0.0420,EUR\r\n\n+1, US ,0.0075,USD\n",
    );
    expect(prices).toEqual([
      { prefix: "+372", country: "EE", pricePerPart: 420, currency: "EUR" },
      { prefix: "+1", country: "US", pricePerPart: 75, currency: "USD" },
    ]);
  });

  it("when lines are wrong, every problem is reported with its line number", () => {
    const text = [
      "prefix,country,price_per_part,currency",
      "372,EE,0.0420,EUR",
      "+371,LV,0.00001,EUR",
      "+370,LT,0.03,XYZ",
      "+358,FI",
      "+372,EE,0.04,EUR",
      "+372,EE,0.04,EUR",
    ].join("\n");
    const error = (() => {
      try {
        parsePriceCsv(text);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PriceCsvError);
    expect((error as PriceCsvError).problems).toEqual([
      expect.stringMatching(/^line 2: prefix "372"/),
      expect.stringMatching(/^line 3: price "0.00001"/),
      expect.stringMatching(/^line 4: currency "XYZ"/),
      expect.stringMatching(/^line 5: expected 4 columns/),
      expect.stringMatching(/^line 7: prefix \+372 is listed twice in EUR/),
    ]);
  });

  it("when a prefix is priced in several currencies, each is a price of its own", () => {
    const prices = parsePriceCsv(
      "prefix,country,price_per_part,currency\n+372,EE,0.0420,EUR\n+372,EE,0.0455,USD\n+372,EE,0.0365,GBP\n",
    );
    expect(prices.map((p) => [p.currency, p.pricePerPart])).toEqual([
      ["EUR", 420],
      ["USD", 455],
      ["GBP", 365],
    ]);
  });

  it("when a prefix is one country in one currency and another in the next, it refuses", () => {
    expect(() =>
      parsePriceCsv(
        "prefix,country,price_per_part,currency\n+372,EE,0.0420,EUR\n+372,LV,0.0455,USD\n",
      ),
    ).toThrow(/line 3: prefix \+372 is EE in another currency/);
  });

  it("when the header is missing or the file is empty, it refuses", () => {
    expect(() => parsePriceCsv("+372,EE,0.0420,EUR")).toThrow(/header/);
    expect(() => parsePriceCsv("\n\n")).toThrow(/empty/);
  });
});
