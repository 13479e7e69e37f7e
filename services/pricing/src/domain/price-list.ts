/**
 * The price list and its longest-prefix match. A destination is priced by the most
 * specific prefix that matches it: "+1242" (Bahamas) wins over "+1" (US/CA).
 */

/** A price prefix: '+' and 1 to 15 digits (E.164 has at most 15). */
export const PREFIX_PATTERN = /^\+[0-9]{1,15}$/;

export interface Price {
  prefix: string;
  /** ISO 3166-1 alpha-2 (two letters) of the destination; informative. */
  country: string;
  /** Integer money units (1/10,000 of the currency) per SMS part. */
  pricePerPart: number;
  currency: string;
}

export interface PriceList {
  /** The price of the longest prefix that matches `to` (E.164), or undefined. */
  lookup(to: string): Price | undefined;
  readonly size: number;
  all(): Price[];
}

export function isPrefix(value: string): boolean {
  return PREFIX_PATTERN.test(value);
}

export function createPriceList(prices: Iterable<Price>): PriceList {
  const byPrefix = new Map<string, Price>();
  let longest = 0;
  for (const price of prices) {
    if (!isPrefix(price.prefix)) throw new Error(`invalid price prefix "${price.prefix}"`);
    if (byPrefix.has(price.prefix)) throw new Error(`duplicate price prefix "${price.prefix}"`);
    byPrefix.set(price.prefix, price);
    longest = Math.max(longest, price.prefix.length);
  }
  return {
    lookup(to) {
      if (!to.startsWith("+")) return undefined;
      // At most 15 map look-ups: cheaper than a trie and obviously right.
      for (let length = Math.min(longest, to.length); length >= 2; length--) {
        const price = byPrefix.get(to.slice(0, length));
        if (price) return price;
      }
      return undefined;
    },
    get size() {
      return byPrefix.size;
    },
    all: () => [...byPrefix.values()],
  };
}
