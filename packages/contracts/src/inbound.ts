import { z } from "zod";

/** An inbound (MO) message a carrier delivered as an ordinary deliver_sm. */
export const InboundMessageReceived = z.object({
  type: z.literal("InboundMessageReceived"),
  version: z.literal(1),
  /** `mo_` + ULID, also the Nats-Msg-Id. */
  inboundId: z.string(),
  carrierId: z.string(),
  /** E.164 when the source was international (TON 1), else as the carrier sent it. */
  from: z.string(),
  to: z.string(),
  text: z.string(),
  dataCoding: z.number().int(),
  receivedAt: z.iso.datetime(),
  /**
   * Which part of a concatenated MO this is (UDH 8/16-bit reference or SAR TLVs); absent when
   * it came alone, and on events of before this field (additive).
   */
  part: z
    .object({
      ref: z.number().int().min(0).max(0xffff),
      total: z.number().int().min(1).max(255),
      seq: z.number().int().min(1).max(255),
    })
    .optional(),
  /**
   * A part's octets as the carrier sent them after its UDH (short_message or message_payload),
   * base64: the inbound service joins a group's octets before decoding them, since a carrier
   * may cut a part mid-character (a GSM-7 escape pair, a UCS-2 surrogate pair) and `text`,
   * decoded part by part, cannot hold that. Only with `part`; absent on events of before this
   * field (additive: their parts are joined by `text`).
   */
  octets: z.base64().optional(),
});
export type InboundMessageReceived = z.infer<typeof InboundMessageReceived>;

/**
 * An inbound message as the account sees it (api.md section 5): in `GET /v1/inbound` and, with
 * `"type": "inbound"`, as its webhook's body.
 */
export interface InboundView {
  id: string;
  /** The sender's number; masked like an erased message's recipient once erased. */
  from: string;
  to: string;
  /** null once erased (after the account's retention, or the operator's erase-number). */
  text: string | null;
  parts: number;
  receivedAt: string;
}

/** The view's fields of anything that has them, in the documented order. */
export function inboundView(message: InboundView): InboundView {
  return {
    id: message.id,
    from: message.from,
    to: message.to,
    text: message.text,
    parts: message.parts,
    receivedAt: message.receivedAt,
  };
}

/** An inbound message's id: `in_` + the ULID of its first part's `mo_` id. */
export const INBOUND_ID_PATTERN = /^in_[0-9A-Z]{26}$/;

/**
 * inbound -> dlr-dispatcher (`<p>.inbound.deliver`, Nats-Msg-Id `<id>:deliver`): POST this
 * inbound message to `url`, signed with the account's secrets and retried exactly as a
 * delivery report (api.md section 5). Not logged by the event store: the inbound service's
 * table is the record of it.
 */
export const InboundDelivery = z.object({
  type: z.literal("InboundDelivery"),
  version: z.literal(1),
  /** `in_…`: the webhook-id of every attempt. */
  id: z.string().regex(INBOUND_ID_PATTERN),
  accountId: z.string(),
  /**
   * The number's inboundUrl; null: the account's default callback URL, which the dispatcher
   * knows from the accounts KV (none: the message is stored and listed, not POSTed).
   */
  url: z.string().max(2048).nullable(),
  from: z.string(),
  to: z.string(),
  text: z.string(),
  parts: z.number().int().min(1),
  receivedAt: z.iso.datetime(),
});
export type InboundDelivery = z.infer<typeof InboundDelivery>;
