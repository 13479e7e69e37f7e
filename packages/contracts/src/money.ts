/**
 * Money is an integer count of money units: 1/10,000 of the currency's main unit
 * (SMS prices are quoted to four decimals, e.g. 0.0420 EUR per part). Never floats
 * in storage or arithmetic; `toDecimal` is only for JSON answers.
 */
export const MONEY_SCALE = 4;
const UNITS_PER_MAIN = 10 ** MONEY_SCALE;

export const CURRENCIES = ["EUR", "USD", "GBP"] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Integer money units -> a JSON number rounded to the currency's precision (no float noise). */
export function toDecimal(units: number): number {
  // Dividing an integer by an exact power of ten yields the double closest to the
  // decimal value, which prints as that decimal (1260 / 10_000 -> 0.126).
  return units / UNITS_PER_MAIN;
}

/** A decimal string such as "0.042" -> integer money units; null when it has more precision than we keep. */
export function parseDecimal(text: string): number | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const [, whole = "0", fraction = ""] = match;
  if (fraction.length > MONEY_SCALE) return null;
  const units = Number(whole) * UNITS_PER_MAIN + Number(fraction.padEnd(MONEY_SCALE, "0"));
  return Number.isSafeInteger(units) ? units : null;
}
