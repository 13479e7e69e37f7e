import { describe, expect, it } from "vitest";
import { dataSmOf, deliverSm } from "./builders.ts";
import { decodePdu, encodePdu } from "./codec.ts";
import type { RequestPdu } from "./pdu.ts";
import { TlvTag, tlv } from "./tlv.ts";

const moOf = (shortMessage: Buffer, tlvs = [tlv.sarTotalSegments(2)]) =>
  deliverSm({
    sourceAddr: "37256789045",
    sourceAddrTon: 1,
    sourceAddrNpi: 1,
    destinationAddr: "1234",
    esmClass: 0x40,
    registeredDelivery: 1,
    dataCoding: 8,
    shortMessage,
    tlvs,
  });

describe("dataSmOf", () => {
  it("when a message has a short_message, the data_sm carries it first in message_payload, with the same addresses, flags and TLVs", () => {
    const data = dataSmOf(moOf(Buffer.from("hello")));
    expect(data).toEqual({
      command: "data_sm",
      serviceType: "",
      sourceAddrTon: 1,
      sourceAddrNpi: 1,
      sourceAddr: "37256789045",
      destAddrTon: 0,
      destAddrNpi: 0,
      destinationAddr: "1234",
      esmClass: 0x40,
      registeredDelivery: 1,
      dataCoding: 8,
      tlvs: [tlv.messagePayload(Buffer.from("hello")), tlv.sarTotalSegments(2)],
    });
  });

  it("when the short_message is empty (a receipt of TLVs only), no message_payload is added", () => {
    const data = dataSmOf(moOf(Buffer.alloc(0), [tlv.receiptedMessageId("1a")]));
    expect(data.tlvs.map((t) => t.tag)).toEqual([TlvTag.receipted_message_id]);
  });

  it("when it is encoded, it decodes as the data_sm it was", () => {
    const data = dataSmOf(moOf(Buffer.from("hello")));
    const full = { ...data, commandStatus: 0, sequenceNumber: 3 } as RequestPdu;
    expect(decodePdu(encodePdu(full))).toEqual(full);
  });
});
