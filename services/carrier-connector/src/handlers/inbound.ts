import { type InboundMessageReceived, newMessageId } from "@smsgw/contracts";
import { errorMessage, type Logger } from "@smsgw/service-kit";
import { CommandStatus, readMessageContent, type SmppSession } from "@smsgw/smpp";
import { decodeReceivedText } from "@smsgw/sms-text";
import { moNumberOf } from "../domain/addressing.ts";
import type { CarrierMessage } from "../domain/carrier-request.ts";
import type { ReceiptCarrier } from "./receipts.ts";

export interface InboundDeps {
  /** Publishes with Nats-Msg-Id = its inboundId; resolves once JetStream stored it. */
  publish(message: InboundMessageReceived): Promise<void>;
  log: Logger;
  now(): Date;
}

/**
 * An MO deliver_sm or data_sm -> InboundMessageReceived, answered OK only after JetStream stored it (a
 * failed publish is answered ESME_RX_T_APPN so the carrier delivers it again). The carrier's
 * redelivery gets a new inboundId: SMPP carries no id of an MO to dedupe on.
 */
export function createInboundHandler(deps: InboundDeps) {
  return (carrier: ReceiptCarrier, session: SmppSession, pdu: CarrierMessage): void => {
    const message = inboundOf(carrier.id, pdu, deps.now());
    deps.publish(message).then(
      () => session.respond(pdu),
      (error: unknown) => {
        deps.log.warn(
          { carrierId: carrier.id, err: errorMessage(error) },
          "inbound message not stored; carrier asked to retry",
        );
        session.respond(pdu, { commandStatus: CommandStatus.ESME_RX_T_APPN });
      },
    );
  };
}

export function inboundOf(
  carrierId: string,
  pdu: CarrierMessage,
  now: Date,
): InboundMessageReceived {
  // A concatenated MO arrives part by part: each part is recorded with its text after the UDH,
  // its octets and which part it is (UDH 8/16-bit or SAR), so the inbound service can join
  // them. It joins the octets, then decodes: a carrier may cut a part mid-character. A data_sm
  // has no short_message: its text is in message_payload, which readMessageContent reads.
  const { payload, part } = readMessageContent(pdu);
  return {
    type: "InboundMessageReceived",
    version: 1,
    inboundId: `mo_${newMessageId(now.getTime()).slice("msg_".length)}`,
    carrierId,
    // E.164 wherever the carrier's numbers read as one, whatever TON it used (moNumberOf).
    from: moNumberOf({ addr: pdu.sourceAddr, ton: pdu.sourceAddrTon, npi: pdu.sourceAddrNpi }),
    to: moNumberOf({ addr: pdu.destinationAddr, ton: pdu.destAddrTon, npi: pdu.destAddrNpi }),
    text: decodeReceivedText(payload, pdu.dataCoding),
    dataCoding: pdu.dataCoding,
    receivedAt: now.toISOString(),
    ...(part && part.total > 1 && part.seq >= 1 && part.seq <= part.total
      ? {
          part: { ref: part.ref, total: part.total, seq: part.seq },
          octets: Buffer.from(payload).toString("base64"),
        }
      : {}),
  };
}
