/** The public status vocabulary of api.md section 3, used everywhere. */
export const MESSAGE_STATUSES = [
  "queued",
  "sent",
  "delivered",
  "undelivered",
  "expired",
  "failed",
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set([
  "delivered",
  "undelivered",
  "expired",
  "failed",
]);

export function isFinalStatus(status: MessageStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/**
 * Which final statuses a message submitted over SMPP wants back as deliver_sm receipts
 * (api.md section 6; SMPP registered_delivery 0x01 = `final`, 0x02 = `failure` only).
 */
export const SMPP_RECEIPT_MASKS = ["final", "failure"] as const;
export type SmppReceiptMask = (typeof SMPP_RECEIPT_MASKS)[number];

export function wantsSmppReceipt(mask: SmppReceiptMask | null | undefined, status: MessageStatus) {
  if (!mask || !FINAL_STATUSES.has(status)) return false;
  return mask === "final" || status !== "delivered";
}

// queued < sent < any final. Finals share a rank: a message never leaves a final status,
// so the first final status reached wins whatever arrives later.
const RANK: Record<MessageStatus, number> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  undelivered: 2,
  expired: 2,
  failed: 2,
};

/** True when moving from `current` to `next` is a forward step (statuses only move forward). */
export function isForwardStatus(current: MessageStatus | null, next: MessageStatus): boolean {
  if (current === null) return true;
  if (isFinalStatus(current)) return false;
  return RANK[next] > RANK[current];
}
