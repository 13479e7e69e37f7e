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
  /** The id's newest holder is waiting for its receipt: this is it. */
  | { kind: "matched"; holder: H }
  /** The newest holder stayed final through the early-receipt window: a receipt said again. */
  | { kind: "repeated"; holder: H }
  /** Look again later: nothing is stored for the id yet, or only a final holder. */
  | { kind: "wait" }
  /** Nothing was stored for the id within the early-receipt window. */
  | { kind: "unknown" };

/**
 * Which part a receipt belongs to, among the holders of its carrier id.
 *
 * Carriers hand ids out again after a restart or when a counter wraps, so an id may have had
 * several holders. A carrier reuses an id only once it is done with (or has forgotten) the
 * earlier holder, so only the newest can still be waiting for a receipt: older holders are
 * never matched, even when still live (their receipt is not coming; the expiry sweep ends
 * them). A newest holder that is already final means one of two things: the carrier says a
 * receipt again (our answer was lost), or the receipt is for a newer submit whose id is not
 * stored yet (receipts overtake the submit_sm_resp). Only time tells them apart, so such a
 * receipt waits the early-receipt window, as one that finds nothing does, before it is taken
 * as said again.
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
  if (newest && !newest.final) return { kind: "matched", holder: newest };
  if (waitedMs < windowMs) return { kind: "wait" };
  return newest ? { kind: "repeated", holder: newest } : { kind: "unknown" };
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
