import { createPriceList, type Price, type PriceList } from "./price-list.ts";

/**
 * What an account pays: the shared price list in the account's currency, overridden per
 * account. The list holds a price per prefix and currency (an operator prices EUR, USD and GBP
 * accounts each in their own money, never by converting at charge time). The most specific
 * prefix of either list wins; on a tie the account's override wins. So an override of `+372`
 * beats the list's `+372`, but the list's `+3725` (an operator prefix) still beats an override
 * of `+372`, unless the account overrides `+3725` too.
 */
export interface PriceBook {
  lookup(account: { accountId: string; currency: string }, to: string): Price | undefined;
  /** The shared list in one currency (empty when there is none). */
  listIn(currency: string): PriceList;
  /** Every price of the shared list, all currencies. */
  all(): Price[];
  overridesOf(accountId: string): Price[];
}

export interface PriceOverride {
  accountId: string;
  prefix: string;
  pricePerPart: number;
}

const EMPTY = createPriceList([]);

export function createPriceBook(
  base: Iterable<Price>,
  overrides: readonly PriceOverride[] = [],
  /** The currency of each overriding account (overrides are in the account's currency). */
  currencyOf: (accountId: string) => string | undefined = () => undefined,
): PriceBook {
  const lists = listsByCurrency(base);
  const listIn = (currency: string) => lists.get(currency) ?? EMPTY;
  const countryOf = (prefix: string) => {
    for (const list of lists.values()) {
      const country = list.lookup(prefix)?.country;
      if (country) return country;
    }
    return "";
  };
  const grouped = new Map<string, Price[]>();
  for (const override of overrides) {
    const currency = currencyOf(override.accountId);
    if (!currency) continue;
    const list = grouped.get(override.accountId) ?? [];
    list.push({
      prefix: override.prefix,
      // Informative only: the country of the list's price for the same prefix (in any
      // currency: a prefix is one place whatever it costs).
      country: countryOf(override.prefix),
      pricePerPart: override.pricePerPart,
      currency,
    });
    grouped.set(override.accountId, list);
  }
  const perAccount = new Map([...grouped].map(([id, list]) => [id, createPriceList(list)]));
  return {
    lookup(account, to) {
      const general = listIn(account.currency).lookup(to);
      const special = perAccount.get(account.accountId)?.lookup(to);
      if (!special || special.currency !== account.currency) return general;
      if (!general || special.prefix.length >= general.prefix.length) return special;
      return general;
    },
    listIn,
    all: () => [...lists.values()].flatMap((list) => list.all()),
    overridesOf: (accountId) => perAccount.get(accountId)?.all() ?? [],
  };
}

/** The shared list split by currency: each a list with one price per prefix. */
function listsByCurrency(prices: Iterable<Price>): Map<string, PriceList> {
  const byCurrency = new Map<string, Price[]>();
  for (const price of prices) {
    const list = byCurrency.get(price.currency) ?? [];
    list.push(price);
    byCurrency.set(price.currency, list);
  }
  return new Map([...byCurrency].map(([currency, list]) => [currency, createPriceList(list)]));
}
