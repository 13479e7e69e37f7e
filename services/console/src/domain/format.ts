import { toDecimal } from "@smsgw/contracts";

/** Money units -> "1.2345 EUR", trailing zeros kept to two decimals ("0.042" -> "0.042"). */
export function money(units: number, currency: string): string {
  const decimal = toDecimal(units);
  const text = decimal.toFixed(4).replace(/0{1,2}$/, "");
  return `${text} ${currency}`;
}

/** An ISO time as "2026-11-25 10:00:00 UTC" (the console shows UTC everywhere). */
export function when(iso: string | Date | null | undefined): string {
  if (!iso) return "";
  const text = typeof iso === "string" ? iso : iso.toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 19)} UTC`;
}
