import {
  type DataSm,
  type DeliveredNotice,
  type DeliverSm,
  deliveredContentOf,
  type IncomingRequest,
  type Receipt,
  readReceipt,
} from "@smsgw/smpp";

/** A message a carrier delivers to us: as deliver_sm, or as data_sm (SMPP 3.4 4.7). */
export type CarrierMessage = DeliverSm | DataSm;

/** What a request from a carrier is to the connector. */
export type CarrierRequest =
  /** A delivery receipt (esm_class 0x04) with an id and a stat. */
  | { kind: "receipt"; pdu: CarrierMessage; receipt: Receipt }
  /** Marked a receipt but without an id or a stat: asking again will not make it readable. */
  | { kind: "unreadableReceipt"; pdu: CarrierMessage }
  /** A message from a handset (esm_class message type 0x00): an MO. */
  | { kind: "inbound"; pdu: CarrierMessage }
  /** An acknowledgement or an intermediate notification: no handset's message, no final state. */
  | { kind: "notice"; pdu: CarrierMessage; notice: DeliveredNotice }
  /** A request a carrier has no business sending us (submit_sm, a bind). */
  | { kind: "unsupported" };

/**
 * Sorts what a carrier sends: receipts and MO come as deliver_sm or, from some SMSCs, as data_sm
 * (the receipt's facts then in TLVs, or the classic text in message_payload); both are read
 * alike and answered with their own response (deliver_sm_resp / data_sm_resp).
 */
export function carrierRequestOf(pdu: IncomingRequest): CarrierRequest {
  if (pdu.command !== "deliver_sm" && pdu.command !== "data_sm") return { kind: "unsupported" };
  const content = deliveredContentOf(pdu.esmClass);
  if (content.kind === "message") return { kind: "inbound", pdu };
  if (content.kind === "notice") return { kind: "notice", pdu, notice: content.notice };
  const receipt = readReceipt(pdu);
  return receipt ? { kind: "receipt", pdu, receipt } : { kind: "unreadableReceipt", pdu };
}
