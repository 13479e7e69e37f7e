import { CURRENCIES, parseDecimal } from "@smsgw/contracts";
import { isPrefix, type Price } from "./price-list.ts";

/**
 * The price list's CSV form: a header `prefix,country,price_per_part,currency`, then one
 * price per line, the price a decimal of the currency's main unit (`0.0420`). Blank lines
 * and lines starting with `#` are skipped. Every problem is reported with its line number.
 */
export const PRICE_CSV_HEADER = ["prefix", "country", "price_per_part", "currency"] as const;

export class PriceCsvError extends Error {
  override name = "PriceCsvError";
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid price list:\n  ${problems.join("\n  ")}`);
    this.problems = problems;
  }
}

export function parsePriceCsv(text: string): Price[] {
  const problems: string[] = [];
  const prices: Price[] = [];
  const seen = new Set<string>();
  /** A prefix is one place, whatever currency prices it. */
  const countries = new Map<string, string>();
  let header = false;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    const at = `line ${index + 1}`;
    if (line === "" || line.startsWith("#")) continue;
    const cells = line.split(",").map((cell) => cell.trim());
    if (!header) {
      header = true;
      if (cells.join(",").toLowerCase() !== PRICE_CSV_HEADER.join(",")) {
        problems.push(`${at}: the header must be "${PRICE_CSV_HEADER.join(",")}"`);
        break;
      }
      continue;
    }
    if (cells.length !== PRICE_CSV_HEADER.length) {
      problems.push(`${at}: expected ${PRICE_CSV_HEADER.length} columns, got ${cells.length}`);
      continue;
    }
    const [prefix = "", country = "", decimal = "", currency = ""] = cells;
    const pricePerPart = parseDecimal(decimal);
    if (!isPrefix(prefix)) problems.push(`${at}: prefix "${prefix}" is not '+' and 1-15 digits`);
    else if (seen.has(`${prefix} ${currency}`))
      problems.push(`${at}: prefix ${prefix} is listed twice in ${currency}`);
    if (!/^[A-Z]{2}$/.test(country))
      problems.push(`${at}: country "${country}" is not two letters`);
    else if ((countries.get(prefix) ?? country) !== country)
      problems.push(`${at}: prefix ${prefix} is ${countries.get(prefix)} in another currency`);
    countries.set(prefix, countries.get(prefix) ?? country);
    if (pricePerPart === null) {
      problems.push(`${at}: price "${decimal}" is not a decimal with at most 4 places`);
    }
    if (!(CURRENCIES as readonly string[]).includes(currency)) {
      problems.push(`${at}: currency "${currency}" is not one of ${CURRENCIES.join(", ")}`);
    }
    seen.add(`${prefix} ${currency}`);
    if (pricePerPart !== null) prices.push({ prefix, country, pricePerPart, currency });
  }
  if (!header) problems.push("the price list is empty (no header)");
  if (problems.length > 0) throw new PriceCsvError(problems);
  return prices;
}
