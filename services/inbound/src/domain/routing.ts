import type { InboundDelivery } from "@smsgw/contracts";
import type { JoinedMessage } from "./concat.ts";

/** The inventory row of the number an MO was sent to, if it is in the inventory. */
export interface NumberOwner {
  accountId: string | null;
  inboundUrl: string | null;
}

export type InboundRoute =
  /** Owned: the account's inbound message, and the webhook to POST (url null: the account's default). */
  | { kind: "owned"; accountId: string; delivery: InboundDelivery }
  /** Nobody owns the number (or it is not ours): kept for the operator, acknowledged. */
  | { kind: "unowned" }
  /**
   * Erased before this run (its event redelivered after the account's retention or an
   * erase-number): there is no text left to deliver, and it was delivered when it came. The
   * id names the message, whose erasure that copy of the event still needs (ADR 0021).
   */
  | { kind: "erased"; id: string };

/**
 * Where a joined MO goes: to the account that owns the number it was sent to, with the
 * number's inboundUrl (else the account's default, resolved by the dispatcher); otherwise to
 * the operator's list. The message is stored either way: it is never lost.
 */
export function routeInbound(
  message: Pick<JoinedMessage, "id" | "parts" | "receivedAt"> & {
    text: string | null;
    from: string;
    to: string;
  },
  owner: NumberOwner | undefined,
): InboundRoute {
  if (message.text === null) return { kind: "erased", id: message.id };
  if (!owner?.accountId) return { kind: "unowned" };
  return {
    kind: "owned",
    accountId: owner.accountId,
    delivery: {
      type: "InboundDelivery",
      version: 1,
      id: message.id,
      accountId: owner.accountId,
      url: owner.inboundUrl,
      from: message.from,
      to: message.to,
      text: message.text,
      parts: message.parts,
      receivedAt: message.receivedAt,
    },
  };
}

/**
 * The owner a stored message is delivered for: the account it was stored for when it arrived
 * (a re-run after the number changed hands must not hand it to the new holder), with the
 * number's inboundUrl only while that account still holds the number (else its default).
 */
export function ownerAtArrival(
  storedAccountId: string | null,
  ownerNow: NumberOwner | undefined,
): NumberOwner | undefined {
  if (storedAccountId === null) return undefined;
  if (ownerNow?.accountId === storedAccountId) return ownerNow;
  return { accountId: storedAccountId, inboundUrl: null };
}

/** The Nats-Msg-Id of an inbound message's delivery: a re-run publishes it once. */
export function deliveryMsgId(inboundId: string): string {
  return `${inboundId}:deliver`;
}
