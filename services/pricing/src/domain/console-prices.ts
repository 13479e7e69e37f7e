import type { Price } from "./price-list.ts";

/** At most this many rows answer one search: the console pages nothing here. */
export const MAX_PRICE_ROWS = 500;

/**
 * The price list an account pays, for the console's billing page: the shared list with
 * the account's overrides in place of the list's price for the same prefix, sorted by
 * prefix, filtered by a search that is a prefix ("+372", "372") or a country ("EE", "e").
 */
export function effectivePrices(
  base: readonly Price[],
  overrides: readonly Price[],
  search: string,
): Price[] {
  const byPrefix = new Map(base.map((price) => [price.prefix, price]));
  for (const override of overrides) byPrefix.set(override.prefix, override);
  const wanted = search.trim().toUpperCase().replace(/\s+/g, "");
  const digits = /^\+?[0-9]+$/.test(wanted) ? `+${wanted.replace("+", "")}` : null;
  const matches = (price: Price) =>
    wanted === "" ||
    (digits !== null ? price.prefix.startsWith(digits) : price.country.startsWith(wanted));
  return [...byPrefix.values()]
    .filter(matches)
    .sort((a, b) => a.prefix.localeCompare(b.prefix))
    .slice(0, MAX_PRICE_ROWS);
}
