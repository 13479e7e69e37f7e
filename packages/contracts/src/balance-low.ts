import { z } from "zod";

/**
 * Published by pricing when a charge took an account's balance below its low-balance
 * threshold (issue 22): from at or above it to below it, once per crossing. The dlr-dispatcher
 * turns it into one signed, retried `"type": "balance"` webhook to the account's default
 * callback URL (ADR 0020). Not a message event: it belongs to no message's trail. Money in
 * integer money units (money.ts).
 */
export const AccountBalanceLow = z.object({
  type: z.literal("AccountBalanceLow"),
  version: z.literal(1),
  /** `balanceLowId`: the same on every relay, so JetStream and the dispatcher keep one. */
  eventId: z.string().min(1).max(200),
  accountId: z.string(),
  /** The balance right after the charge that crossed. */
  balance: z.number().int().nonnegative(),
  currency: z.string(),
  threshold: z.number().int().positive(),
  /** The account's default callback URL at the crossing; null: nowhere to send it. */
  callbackUrl: z.string().nullable(),
  occurredAt: z.iso.datetime(),
});
export type AccountBalanceLow = z.infer<typeof AccountBalanceLow>;

/** One id per crossing: the account and the ledger id of the batch's last charge that crossed. */
export function balanceLowId(accountId: string, ledgerId: string): string {
  return `${accountId}:balance_low:${ledgerId}`;
}
