import { CURRENCIES, type Currency, parseDecimal } from "@smsgw/contracts";

/** Account names: what an operator types; unique, stable, safe in a log line and a URL. */
export const ACCOUNT_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function isAccountName(value: string): boolean {
  return ACCOUNT_NAME_PATTERN.test(value);
}

export function isCurrency(value: string): value is Currency {
  return (CURRENCIES as readonly string[]).includes(value);
}

/**
 * An amount of credit as an operator gives it: a decimal string of the currency's main
 * unit ("10", "0.042"), or a number that already is integer money units (1/10,000).
 * Null when negative, not a number, finer than a money unit, or beyond a safe integer.
 */
export function parseCredits(value: string | number): number | null {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value : null;
  }
  return parseDecimal(value);
}

/** A signed amount for an adjustment: "-1.5" or "2"; null when not an amount. */
export function parseSignedCredits(value: string): number | null {
  const text = value.trim();
  const negative = text.startsWith("-");
  const units = parseDecimal(negative ? text.slice(1) : text.replace(/^\+/, ""));
  if (units === null) return null;
  return negative ? -units : units;
}
