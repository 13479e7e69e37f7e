import { toDecimal } from "@smsgw/contracts";
import type { AccountSummary, Credentials, MovementSummary } from "../accounts.ts";
import type { LedgerEntry } from "../ledger-entries.ts";

/** JSON shapes shared by the admin API and the CLI's --json: money as decimals from integers. */
export function accountJson(summary: AccountSummary) {
  return {
    accountId: summary.accountId,
    name: summary.name,
    hash: summary.hash,
    status: summary.status,
    currency: summary.currency,
    test: summary.test,
    balance: toDecimal(summary.balance),
    blockedCountries: summary.blockedCountries,
    limits: summary.limits,
    defaultCallbackUrl: summary.defaultCallbackUrl,
    smppSystemId: summary.smppSystemId,
    lowBalanceThreshold:
      summary.lowBalanceThreshold === null ? null : toDecimal(summary.lowBalanceThreshold),
  };
}

export function credentialsJson(credentials: Credentials, summary: AccountSummary) {
  return { ...credentials, ...accountJson(summary) };
}

export function ledgerJson(entry: LedgerEntry) {
  return { ...entry, amount: toDecimal(entry.amount), createdAt: entry.createdAt.toISOString() };
}

/** A top-up's or adjustment's answer: the account, its entry, and whether it was a replay. */
export function movementJson(done: MovementSummary) {
  return { ...accountJson(done), entry: ledgerJson(done.entry), replayed: done.replayed };
}

/** Money units as a fixed four-place decimal with the currency: "10.0000 EUR". */
export function money(units: number, currency: string): string {
  const sign = units < 0 ? "-" : "";
  const abs = Math.abs(units);
  return `${sign}${Math.trunc(abs / 10_000)}.${String(abs % 10_000).padStart(4, "0")} ${currency}`;
}
