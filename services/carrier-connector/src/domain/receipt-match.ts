/** A stored part that was given a carrier's message id (an id's "holder"). */
export interface IdHolder {
  messageId: string;
  part: number;
  /** Its final receipt was published (or its message expired). */
  final?: boolean | undefined;
  /** When its id was stored. */
  submittedAt?: Date | undefined;
}

export type ReceiptMatch<H extends IdHolder> =
  /** A part of the id's newest message is waiting for its receipt: the lowest such part. */
  | { kind: "matched"; holder: H }
  /** All the newest message's parts stayed final through the early-receipt window: said again. */
  | { kind: "repeated"; holder: H }
  /** Look again later: nothing is stored for the id yet, or only final holders. */
  | { kind: "wait" }
  /** Nothing was stored for the id within the early-receipt window. */
  | { kind: "unknown" };

/**
 * Which part a receipt belongs to, among the holders of its carrier id.
 *
 * Carriers hand ids out again after a restart or when a counter wraps, so an id may have had
 * several holders. A carrier reuses an id only once it is done with (or has forgotten) the
 * earlier holder, so only the newest message can still be waiting for a receipt: older
 * messages' holders are never matched, even when still live (their receipt is not coming; the
 * expiry sweep ends them).
 *
 * Some carriers answer every part of a long message with one id, so several holders may be
 * parts of that newest message. Their receipts cannot be told apart, so each goes to the
 * lowest-numbered part not final yet: parts 1, 2, 3 in turn as each becomes final. (Ids stored
 * by one statement share a time, and picking the newest holder would give every receipt to the
 * last part, leaving the first never final.)
 *
 * When every part of the newest message is already final, it means one of two things: the
 * carrier says a receipt again (our answer was lost), or the receipt is for a newer submit
 * whose id is not stored yet (receipts overtake the submit_sm_resp). Only time tells them
 * apart, so such a receipt waits the early-receipt window, as one that finds nothing does,
 * before it is taken as said again. It is then given to the newest holder (the last stored;
 * among parts stored together, the highest), a fixed choice: for parts stored together, the
 * one the latest receipt went to, since receipts fill them in order.
 */
export function matchReceipt<H extends IdHolder>(
  holders: readonly H[],
  waitedMs: number,
  windowMs: number,
): ReceiptMatch<H> {
  const newest = holders.reduce<H | undefined>(
    (best, holder) => (best === undefined || isNewer(holder, best) ? holder : best),
    undefined,
  );
  const waiting = newest && firstWaitingPart(holders, newest.messageId);
  if (waiting) return { kind: "matched", holder: waiting };
  if (waitedMs < windowMs) return { kind: "wait" };
  return newest ? { kind: "repeated", holder: newest } : { kind: "unknown" };
}

/** The lowest-numbered part of this message that is not final (a message holds a part once). */
function firstWaitingPart<H extends IdHolder>(
  holders: readonly H[],
  messageId: string,
): H | undefined {
  let first: H | undefined;
  for (const holder of holders) {
    if (holder.messageId !== messageId || holder.final) continue;
    if (first === undefined || holder.part < first.part) first = holder;
  }
  return first;
}

/**
 * Later stored first; ids stored by one statement share a time, and message ids (ULIDs) sort
 * by acceptance, so the later accepted message wins the tie.
 */
function isNewer(a: IdHolder, b: IdHolder): boolean {
  const at = a.submittedAt?.getTime() ?? 0;
  const bt = b.submittedAt?.getTime() ?? 0;
  if (at !== bt) return at > bt;
  if (a.messageId !== b.messageId) return a.messageId > b.messageId;
  return a.part > b.part;
}
