import type { PartOf } from "@smsgw/smpp";
import { receiptMaskOf } from "./receipt.ts";

/** Who a concatenated message is from and to: with its reference and total, its group. */
export interface ConcatKey {
  from: string;
  to: string;
}

/** A message whose parts never all came, dropped unsent and uncharged. */
export interface ExpiredGroup {
  messageId: string;
  key: ConcatKey;
  received: number;
  total: number;
  /** The strongest registered_delivery among its parts that came (registeredDeliveryOfParts). */
  registeredDelivery: number;
  /**
   * Its fate is open: an accept of it left no known outcome (an answer that could not be
   * confirmed, or a replica that stopped while accepting it): it may have been accepted.
   */
  uncertain: boolean;
}

export type AddOutcome<T> =
  | { kind: "waiting"; messageId: string }
  /** This part made the message whole: it is this caller's to accept, then to settle. */
  | { kind: "complete"; messageId: string; values: T[] }
  /** A part again while the message is being accepted: its outcome is not known yet. */
  | { kind: "completing"; messageId: string }
  /** Not a valid part (seq outside 1..total, another part under a number taken already). */
  | { kind: "invalid"; reason: string };

/**
 * Why a part cannot belong to any message (api.md section 6: "concatenated submits (UDH or
 * SAR) are one message of several parts"), or null when it may.
 */
export function partProblem(part: PartOf): string | null {
  return part.total < 1 || part.seq < 1 || part.seq > part.total
    ? `part ${part.seq} of ${part.total}`
    : null;
}

/**
 * A group's key within its account: sender, recipient, reference and total (the same
 * reference may be reused for another recipient, and a total that differs is another message).
 */
export function groupKeyOf(key: ConcatKey, part: PartOf): string {
  return `${key.from}|${key.to}|${part.ref}|${part.total}`;
}

/** The message's parts in order, once every one of 1..total came; else null. */
export function wholeMessage<T>(
  total: number,
  parts: ReadonlyArray<{ seq: number; value: T }>,
): T[] | null {
  const bySeq = new Map(parts.map((p) => [p.seq, p.value] as const));
  const values: T[] = [];
  for (let seq = 1; seq <= total; seq++) {
    const value = bySeq.get(seq);
    if (value === undefined) return null;
    values.push(value);
  }
  return values;
}

const RECEIPT_RANK = { final: 2, failure: 1 } as const;
const rankOf = (registeredDelivery: number): number => {
  const mask = receiptMaskOf(registeredDelivery);
  return mask === null ? 0 : RECEIPT_RANK[mask];
};

/**
 * The registered_delivery a message of several parts asks with: its parts' strongest request
 * (a final outcome over failures only over none), whichever part made it. Kannel asks on the
 * first part only (sms_split: "only ask DLR for the first one"), other clients on each or on
 * the last: a message wants a receipt when any of its parts asked for one. The same for a
 * message accepted whole and one whose parts never all came.
 */
export function registeredDeliveryOfParts(values: Iterable<number>): number {
  let strongest = 0;
  for (const value of values) if (rankOf(value) > rankOf(strongest)) strongest = value;
  return strongest;
}
