import {
  bindRequest,
  dataSmOf,
  deliverSm,
  formatReceiptText,
  type IncomingRequest,
  type MessageInput,
  submitSm,
  tlv,
} from "@smsgw/smpp";
import { describe, expect, it } from "vitest";
import { carrierRequestOf } from "./carrier-request.ts";

const head = { commandStatus: 0, sequenceNumber: 4 };
const deliver = (input: Partial<MessageInput>) =>
  ({ ...deliverSm({ destinationAddr: "MyApp", ...input }), ...head }) as IncomingRequest;
const data = (input: Partial<MessageInput>) =>
  ({
    ...dataSmOf(deliverSm({ destinationAddr: "MyApp", ...input })),
    ...head,
  }) as IncomingRequest;
const receiptText = formatReceiptText({
  id: "1a",
  stat: "DELIVRD",
  submitDate: "2611241000",
  doneDate: "2611241001",
});

describe("what a carrier's request is to the connector", () => {
  it("when a data_sm is marked a receipt and its facts are in TLVs, it is that receipt", () => {
    const pdu = data({
      esmClass: 0x04,
      tlvs: [tlv.receiptedMessageId("1a"), tlv.messageState(5), tlv.networkErrorCode(3, 1)],
    });
    expect(carrierRequestOf(pdu)).toMatchObject({
      kind: "receipt",
      pdu: { command: "data_sm" },
      receipt: { carrierMessageId: "1a", stat: "UNDELIV", err: "001" },
    });
  });

  it("when a data_sm receipt carries the classic text in message_payload, the receipt is read from it", () => {
    const pdu = data({ esmClass: 0x04, shortMessage: Buffer.from(receiptText) });
    expect(carrierRequestOf(pdu)).toMatchObject({
      kind: "receipt",
      receipt: { carrierMessageId: "1a", stat: "DELIVRD" },
    });
  });

  it("when a deliver_sm or data_sm is marked a receipt but has no id or no stat, it is unreadable", () => {
    for (const pdu of [
      deliver({ esmClass: 0x04, shortMessage: Buffer.from("sub:001 dlvrd:001") }),
      data({ esmClass: 0x04, tlvs: [tlv.messageState(2)] }),
    ]) {
      expect(carrierRequestOf(pdu)).toEqual({ kind: "unreadableReceipt", pdu });
    }
  });

  it("when a deliver_sm or data_sm is not marked a receipt, it is an MO, whatever its text says", () => {
    for (const pdu of [
      deliver({ shortMessage: Buffer.from(receiptText) }),
      data({ esmClass: 0x40, shortMessage: Buffer.from("STOP") }),
    ]) {
      expect(carrierRequestOf(pdu)).toEqual({ kind: "inbound", pdu });
    }
  });

  it("when a deliver_sm or data_sm is an acknowledgement or an intermediate notification, it is a notice: neither an MO nor a receipt, whatever its text says", () => {
    const cases = [
      [0x08, "sme_delivery_ack"],
      [0x10, "user_ack"],
      [0x18, "conversation_abort"],
      [0x20, "intermediate_notification"],
      [0x60, "intermediate_notification"], // with the UDH indicator: the type bits decide
      [0x28, "reserved"],
    ] as const;
    for (const [esmClass, notice] of cases) {
      for (const pdu of [
        deliver({ esmClass, shortMessage: Buffer.from(receiptText.replace("DELIVRD", "ENROUTE")) }),
        data({ esmClass, tlvs: [tlv.receiptedMessageId("1a"), tlv.messageState(1)] }),
      ]) {
        expect(carrierRequestOf(pdu)).toEqual({ kind: "notice", pdu, notice });
      }
    }
  });

  it("when a carrier sends what only an ESME sends (submit_sm, a bind), it is unsupported", () => {
    const submit = { ...submitSm({ destinationAddr: "1" }), ...head } as IncomingRequest;
    const bind = { ...bindRequest("receiver", { systemId: "a", password: "b" }), ...head };
    expect(carrierRequestOf(submit)).toEqual({ kind: "unsupported" });
    expect(carrierRequestOf(bind as IncomingRequest)).toEqual({ kind: "unsupported" });
  });
});
