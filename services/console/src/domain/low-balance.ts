import { parseDecimal } from "@smsgw/contracts";

/** The balance is below the account's threshold: the console warns (issue 22). */
export function isLowBalance(balance: number, threshold: number | null | undefined): boolean {
  return threshold !== null && threshold !== undefined && balance < threshold;
}

/**
 * The threshold form: a decimal of the account's currency ("5", "0.50"); empty clears it.
 * Zero is refused (a balance never goes below zero, so it would never warn).
 */
export function readThreshold(
  text: string,
): { ok: true; value: number | null } | { ok: false; problem: string } {
  const trimmed = text.trim().replace(",", ".");
  if (trimmed === "") return { ok: true, value: null };
  const units = parseDecimal(trimmed);
  if (units === null || units === 0) {
    return {
      ok: false,
      problem: "Give the threshold as an amount above zero with at most 4 decimals, e.g. 5.00.",
    };
  }
  return { ok: true, value: units };
}
