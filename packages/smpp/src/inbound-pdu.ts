import { detectEncoding, encodeGsm7Unpacked, encodeUcs2 } from "@smsgw/sms-text";
import { deliverSm } from "./builders.ts";
import type { Outgoing } from "./pdu.ts";
import { tlv } from "./tlv.ts";

export interface InboundInput {
  /** The handset that sent it, E.164 (`+372…`). */
  from: string;
  /** The account's number it was sent to, E.164. */
  to: string;
  /** The whole text (the parts of a concatenated MO already joined). */
  text: string;
}

/** SMPP 3.4: short_message holds at most 254 octets; a longer text goes in message_payload. */
const SHORT_MESSAGE_MAX = 254;
/** International number, E.164 numbering plan. */
const TON_INTERNATIONAL = 1;
const NPI_E164 = 1;

/**
 * The deliver_sm of an inbound message to a customer's bind (api.md section 6: esm_class 0):
 * from the handset to the account's number, the text in GSM-7 (data_coding 0, unpacked
 * septets as SMPP carries them) when it fits that alphabet, else UCS-2 (data_coding 8); in
 * short_message, or whole in message_payload when longer than short_message holds, so the
 * customer gets one message however long it was.
 */
export function inboundDeliverSm(input: InboundInput): Outgoing<"deliver_sm"> {
  const gsm7 = detectEncoding(input.text) === "gsm7";
  const payload = Buffer.from(gsm7 ? encodeGsm7Unpacked(input.text) : encodeUcs2(input.text));
  const long = payload.length > SHORT_MESSAGE_MAX;
  return deliverSm({
    sourceAddr: digits(input.from),
    sourceAddrTon: TON_INTERNATIONAL,
    sourceAddrNpi: NPI_E164,
    destinationAddr: digits(input.to),
    destAddrTon: TON_INTERNATIONAL,
    destAddrNpi: NPI_E164,
    esmClass: 0,
    dataCoding: gsm7 ? 0 : 8,
    shortMessage: long ? Buffer.alloc(0) : payload,
    tlvs: long ? [tlv.messagePayload(payload)] : [],
  });
}

/** An international number as SMPP addresses carry it: the digits, no `+`. */
function digits(e164: string): string {
  return e164.startsWith("+") ? e164.slice(1) : e164;
}
