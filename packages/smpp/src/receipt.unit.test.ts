import { describe, expect, it } from "vitest";
import type { MessageInput } from "./builders.ts";
import { dataSmOf, deliverSm } from "./builders.ts";
import { normalizeCarrierMessageId } from "./message-id.ts";
import { isDeliveryReceipt, messageStateCode, RECEIPT_STATS, readReceipt } from "./receipt.ts";
import { tlv } from "./tlv.ts";

const receipt = (input: Partial<MessageInput>) => ({
  ...deliverSm({ destinationAddr: "ACME", esmClass: 0x04, ...input }),
  commandStatus: 0,
  sequenceNumber: 1,
});
const text =
  "id:1001 sub:001 dlvrd:000 submit date:2301011200 done date:2301011300 stat:UNDELIV err:034 text:";

describe("isDeliveryReceipt", () => {
  it("when the esm_class message type is 0x04, it is a receipt whatever the other bits", () => {
    expect(isDeliveryReceipt(0x04)).toBe(true);
    expect(isDeliveryReceipt(0x44)).toBe(true);
    expect(isDeliveryReceipt(0x00)).toBe(false);
    expect(isDeliveryReceipt(0x40)).toBe(false);
    expect(isDeliveryReceipt(0x08)).toBe(false); // SME delivery acknowledgement
    expect(isDeliveryReceipt(0x20)).toBe(false); // intermediate notification
  });
});

describe("readReceipt", () => {
  it("when the TLVs are present, it prefers them over the text", () => {
    const pdu = receipt({
      shortMessage: Buffer.from(text),
      tlvs: [tlv.receiptedMessageId("3E9"), tlv.messageState(2), tlv.networkErrorCode(3, 7)],
    });
    expect(readReceipt(pdu)).toEqual({
      carrierMessageId: "3E9",
      stat: "DELIVRD",
      rawStat: "DELIVRD",
      err: "007",
      networkError: { networkType: 3, errorCode: 7 },
      submitDate: "2301011200",
      doneDate: "2301011300",
    });
  });

  it("when receipted_message_id is blank (spaces, NULs), the text's id is used: a blank id matches nothing", () => {
    for (const blank of ["   ", "\u0000\u0000", " \u0000"]) {
      const pdu = receipt({
        shortMessage: Buffer.from(text),
        tlvs: [{ tag: 0x001e, value: Buffer.from(blank, "latin1") }],
      });
      expect(readReceipt(pdu)?.carrierMessageId).toBe("1001");
    }
    const tlvOnly = receipt({ tlvs: [tlv.receiptedMessageId("  "), tlv.messageState(2)] });
    expect(readReceipt(tlvOnly)).toBeNull();
  });

  it("when there are no TLVs, it falls back to the text", () => {
    expect(readReceipt(receipt({ shortMessage: Buffer.from(text) }))).toMatchObject({
      carrierMessageId: "1001",
      stat: "UNDELIV",
      err: "034",
    });
  });

  it("when only some TLVs are present, it fills the rest from the text", () => {
    const pdu = receipt({ shortMessage: Buffer.from(text), tlvs: [tlv.receiptedMessageId("X-1")] });
    expect(readReceipt(pdu)).toMatchObject({
      carrierMessageId: "X-1",
      stat: "UNDELIV",
      err: "034",
    });
  });

  it("when the text is in message_payload or UCS-2, it still reads it", () => {
    const payload = receipt({ tlvs: [tlv.messagePayload(Buffer.from(text))] });
    expect(readReceipt(payload)?.carrierMessageId).toBe("1001");
    const ucs2 = Buffer.from(text, "utf16le").swap16();
    expect(readReceipt(receipt({ dataCoding: 8, shortMessage: ucs2 }))?.stat).toBe("UNDELIV");
  });

  it("when the receipt comes as a data_sm, it reads the TLVs, and the text from message_payload", () => {
    const asDataSm = (input: Partial<MessageInput>) => ({
      ...dataSmOf(deliverSm({ destinationAddr: "ACME", esmClass: 0x04, ...input })),
      commandStatus: 0,
      sequenceNumber: 1,
    });
    const tlvOnly = asDataSm({
      tlvs: [tlv.receiptedMessageId("3E9"), tlv.messageState(5), tlv.networkErrorCode(3, 1)],
    });
    expect(readReceipt(tlvOnly)).toMatchObject({
      carrierMessageId: "3E9",
      stat: "UNDELIV",
      err: "001",
    });
    const textOnly = asDataSm({ shortMessage: Buffer.from(text) });
    expect(readReceipt(textOnly)).toMatchObject({
      carrierMessageId: "1001",
      stat: "UNDELIV",
      err: "034",
      doneDate: "2301011300",
    });
    expect(readReceipt({ ...textOnly, esmClass: 0 })).toBeNull();
  });

  it("when the stat is an alias or unknown, it maps to the canonical stat or UNKNOWN", () => {
    const aliased = receipt({ shortMessage: Buffer.from("id:1 stat:DELIVERED err:0") });
    expect(readReceipt(aliased)).toMatchObject({ stat: "DELIVRD", rawStat: "DELIVERED" });
    const odd = receipt({ shortMessage: Buffer.from("id:1 stat:WEIRD err:0") });
    expect(readReceipt(odd)).toMatchObject({ stat: "UNKNOWN", rawStat: "WEIRD" });
  });

  it("when it is not a receipt or has no id, it returns null", () => {
    expect(readReceipt(receipt({ esmClass: 0, shortMessage: Buffer.from(text) }))).toBeNull();
    expect(readReceipt(receipt({ shortMessage: Buffer.from("hello") }))).toBeNull();
    expect(readReceipt(receipt({ tlvs: [tlv.messageState(2)] }))).toBeNull();
  });
});

describe("messageStateCode", () => {
  it("when given each stat, it gives the SMPP message_state value", () => {
    expect(messageStateCode("ENROUTE")).toBe(1);
    expect(messageStateCode("DELIVRD")).toBe(2);
    expect(messageStateCode("EXPIRED")).toBe(3);
    expect(messageStateCode("UNDELIV")).toBe(5);
    expect(messageStateCode("REJECTD")).toBe(8);
    for (const [code, stat] of RECEIPT_STATS.entries()) expect(messageStateCode(stat)).toBe(code);
  });
});

describe("normalizeCarrierMessageId", () => {
  it("when the submit id is hex and the receipt id decimal, both normalise to the same key", () => {
    expect(normalizeCarrierMessageId("1A2B3C", "hex")).toBe("1715004");
    expect(normalizeCarrierMessageId("0001715004", "decimal")).toBe("1715004");
    expect(normalizeCarrierMessageId("0x1a2b3c", "hex")).toBe("1715004");
  });

  it("when the id is a 64-bit number, no digit is lost", () => {
    expect(normalizeCarrierMessageId("FFFFFFFFFFFFFFFF", "hex")).toBe("18446744073709551615");
  });

  it("when the id is opaque or not a number in its base, it is only trimmed", () => {
    expect(normalizeCarrierMessageId(" 3fa85f64-5717 ", "string")).toBe("3fa85f64-5717");
    expect(normalizeCarrierMessageId("12.34", "decimal")).toBe("12.34");
    expect(normalizeCarrierMessageId("xyz", "hex")).toBe("xyz");
  });
});
