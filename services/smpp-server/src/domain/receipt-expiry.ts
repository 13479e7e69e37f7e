/** How long an owed receipt is kept while no receiver of the account takes it. */
export interface ReceiptKeeping {
  /** For a message that set no validity (the carrier's default applied): SMPP_RECEIPT_TTL_HOURS. */
  ttlMs: number;
  /**
   * The least a receipt is kept however soon its message's validity ends
   * (SMPP_RECEIPT_MIN_KEEP_MS): the receipt of an expiry is made at the validity's end, and
   * would otherwise be dropped as it is stored.
   */
  minKeepMs: number;
}

/**
 * When a receipt stored at `now` is given up (api.md section 6: "kept and sent when one
 * binds, until the message's validity ends"): the message's `validUntil`, but never sooner
 * than `minKeepMs` from now; the TTL when the message has no validity (or an unreadable one).
 */
export function receiptExpiresAt(
  validUntil: string | undefined,
  now: number,
  keep: ReceiptKeeping,
): number {
  const until = validUntil === undefined ? Number.NaN : Date.parse(validUntil);
  if (Number.isNaN(until)) return now + keep.ttlMs;
  return Math.max(until, now + keep.minKeepMs);
}
