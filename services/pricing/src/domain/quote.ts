import type { PriceBook } from "./price-book.ts";
import type { Price } from "./price-list.ts";

/**
 * The price one account pays for one part to one destination, or why it may not send
 * there. Authorize (which charges) and the price RPC (`GET /v1/prices`) both call this,
 * so a quoted price is the price charged.
 */
export interface QuotedAccount {
  accountId: string;
  status: "active" | "disabled";
  currency: string;
  /** ISO 3166 alpha-2. */
  blockedCountries: readonly string[];
}

export type Quote =
  | { ok: true; price: Price; country: string | null }
  | { ok: false; reason: string };

/** `country` is the destination's country when the caller knows it (ingress does). */
export function quote(
  account: QuotedAccount,
  to: string,
  country: string | null,
  prices: PriceBook,
): Quote {
  if (account.status !== "active") return { ok: false, reason: "the account is disabled" };
  const price = prices.lookup(account, to);
  // The book answers in the account's currency only; checked again, as money is.
  if (!price || price.currency !== account.currency) {
    return { ok: false, reason: `no price for ${to}` };
  }
  const destination = country ?? (price.country === "" ? null : price.country);
  if (destination !== null && account.blockedCountries.includes(destination)) {
    return { ok: false, reason: `sending to ${destination} is blocked for this account` };
  }
  return { ok: true, price, country: destination };
}
