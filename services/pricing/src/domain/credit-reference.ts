/**
 * A caller's reference of one credit movement (a top-up or an adjustment): a payment's id, an
 * invoice number, a script's idempotency key. The ledger keeps one movement per account and
 * reference (migration 0014), so a retry after a lost answer credits nothing more.
 */

/** As the public API's Idempotency-Key: 1-255 visible ASCII characters, no spaces. */
const REFERENCE_SHAPE = /^[\x21-\x7e]{1,255}$/;

export function isReference(value: string): boolean {
  return REFERENCE_SHAPE.test(value);
}

/** What a movement is, for telling a retry from another movement under the same reference. */
export interface MovementShape {
  kind: string;
  /** Signed money units. */
  amount: number;
}

/**
 * A second movement under a reference the account has used: the same kind and amount is a
 * retry of the first (answered with it, nothing moved again); anything else is a different
 * movement that reuses the reference, refused so that neither is lost silently. The note is
 * not compared: it is prose, and a retry may word it differently.
 */
export function judgeRetry(first: MovementShape, asked: MovementShape): "replay" | "conflict" {
  return first.kind === asked.kind && first.amount === asked.amount ? "replay" : "conflict";
}
