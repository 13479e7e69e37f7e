import type { MessageFields } from "./pdu.ts";

/**
 * What a log line may say about a submit_sm, deliver_sm or data_sm: its shape, never its
 * content. The addresses are phone numbers and the short message (a receipt's too: its
 * `text:` repeats the start of the message) is the customer's text, neither of which may
 * reach a log (api.md section 7).
 */
export function pduLogFields(
  pdu: Pick<MessageFields, "esmClass" | "dataCoding" | "tlvs"> &
    Partial<Pick<MessageFields, "shortMessage">> & {
      readonly command: string;
      readonly sequenceNumber: number;
    },
) {
  return {
    command: pdu.command,
    sequenceNumber: pdu.sequenceNumber,
    esmClass: pdu.esmClass,
    dataCoding: pdu.dataCoding,
    shortMessageOctets: pdu.shortMessage?.length ?? 0,
    tlvTags: pdu.tlvs.map((tlv) => tlv.tag),
  };
}
