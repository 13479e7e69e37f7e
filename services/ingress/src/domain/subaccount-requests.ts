import { type Checked, passed, refused, unrecordable } from "@smsgw/message-acceptance";

/** Money units per main unit of the currency (pricing's money, its README "Money"). */
const UNITS = 10_000;

/** `{ "name": "shop-eu" }`: the sub-account's own name part (pricing judges the whole name). */
export function readSubaccountName(body: unknown): Checked<string> {
  const name = (body as { name?: unknown } | null)?.name;
  if (typeof name !== "string" || name.trim() === "") {
    return refused("invalid_params", "name is required (a-z, 0-9, '.', '_', '-')");
  }
  return passed(name.trim());
}

/**
 * `{ "amount": "5.00", "note": "…" }`: a decimal of the account's currency, positive to the
 * sub-account, negative back to the parent, at most 4 decimals (money units); note optional.
 */
export function readTransfer(body: unknown): Checked<{ amount: number; note: string }> {
  const { amount, note } = (body ?? {}) as { amount?: unknown; note?: unknown };
  const text = typeof amount === "number" ? String(amount) : amount;
  if (typeof text !== "string" || !/^-?\d{1,9}(\.\d{1,4})?$/.test(text)) {
    return refused("invalid_params", 'amount must be a decimal such as "5.00" or "-2.5"');
  }
  const units = Math.round(Number(text) * UNITS);
  if (units === 0) return refused("invalid_params", "amount must not be 0");
  if (note !== undefined && (typeof note !== "string" || note.length > 200)) {
    return refused("invalid_params", "note must be text of at most 200 characters");
  }
  // Pricing writes it to its ledger, whose text columns cannot hold a NUL.
  const unfit = note === undefined ? null : unrecordable("note", note);
  if (unfit !== null) return refused("invalid_params", unfit);
  return passed({ amount: units, note: note ?? "" });
}
