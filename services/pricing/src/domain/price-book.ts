import { createPriceList, type Price, type PriceList } from "./price-list.ts";

/**
 * What an account pays: the shared price list, overridden per account. The most specific
 * prefix of either list wins; on a tie the account's override wins. So an override of
 * `+372` beats the list's `+372`, but the list's `+3725` (an operator prefix) still beats
 * an override of `+372`, unless the account overrides `+3725` too.
 */
export interface PriceBook {
  lookup(accountId: string, to: string): Price | undefined;
  readonly base: PriceList;
  overridesOf(accountId: string): Price[];
}

export interface PriceOverride {
  accountId: string;
  prefix: string;
  pricePerPart: number;
}

export function createPriceBook(
  base: PriceList,
  overrides: readonly PriceOverride[] = [],
  /** The currency of each overriding account (overrides are in the account's currency). */
  currencyOf: (accountId: string) => string | undefined = () => undefined,
): PriceBook {
  const grouped = new Map<string, Price[]>();
  for (const override of overrides) {
    const currency = currencyOf(override.accountId);
    if (!currency) continue;
    const list = grouped.get(override.accountId) ?? [];
    list.push({
      prefix: override.prefix,
      // Informative only: the country of the list's price for the same prefix.
      country: base.lookup(override.prefix)?.country ?? "",
      pricePerPart: override.pricePerPart,
      currency,
    });
    grouped.set(override.accountId, list);
  }
  const perAccount = new Map([...grouped].map(([id, list]) => [id, createPriceList(list)]));
  return {
    base,
    lookup(accountId, to) {
      const general = base.lookup(to);
      const special = perAccount.get(accountId)?.lookup(to);
      if (!special) return general;
      if (!general || special.prefix.length >= general.prefix.length) return special;
      return general;
    },
    overridesOf: (accountId) => perAccount.get(accountId)?.all() ?? [],
  };
}
