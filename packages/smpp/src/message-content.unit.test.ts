import { describe, expect, it } from "vitest";
import { readMessageContent } from "./message-content.ts";
import { tlv } from "./tlv.ts";

const text = Buffer.from("Hi");

describe("a message PDU's user data and part", () => {
  it("when it stands alone, the part is null and the payload is short_message", () => {
    expect(readMessageContent({ esmClass: 0, shortMessage: text, tlvs: [] })).toEqual({
      payload: text,
      part: null,
      badUdh: false,
    });
  });

  it("when it is a data_sm (no short_message), the payload is message_payload and a UDH there still marks the part", () => {
    expect(readMessageContent({ esmClass: 0, tlvs: [tlv.messagePayload(text)] }).payload).toEqual(
      text,
    );
    const udh8 = Buffer.concat([Buffer.from([0x05, 0x00, 0x03, 0x2a, 3, 2]), text]);
    expect(readMessageContent({ esmClass: 0x40, tlvs: [tlv.messagePayload(udh8)] })).toMatchObject({
      payload: text,
      part: { ref: 0x2a, total: 3, seq: 2 },
    });
  });

  it("when a UDH with an 8- or 16-bit reference leads (esm_class 0x40), the part comes from it and the header is cut off", () => {
    const udh8 = Buffer.concat([Buffer.from([0x05, 0x00, 0x03, 0x2a, 3, 2]), text]);
    expect(readMessageContent({ esmClass: 0x40, shortMessage: udh8, tlvs: [] })).toMatchObject({
      payload: text,
      part: { ref: 0x2a, total: 3, seq: 2 },
    });
    const udh16 = Buffer.concat([Buffer.from([0x06, 0x08, 0x04, 0x12, 0x34, 2, 1]), text]);
    expect(readMessageContent({ esmClass: 0x40, shortMessage: udh16, tlvs: [] })).toMatchObject({
      payload: text,
      part: { ref: 0x1234, total: 2, seq: 1 },
    });
  });

  it("when the SAR TLVs say which part it is (no UDH), the part comes from them", () => {
    const tlvs = [tlv.sarMsgRefNum(7), tlv.sarTotalSegments(2), tlv.sarSegmentSeqnum(2)];
    expect(readMessageContent({ esmClass: 0, shortMessage: text, tlvs })).toEqual({
      payload: text,
      part: { ref: 7, total: 2, seq: 2 },
      badUdh: false,
    });
  });

  it("when short_message is empty, the payload is message_payload", () => {
    const tlvs = [tlv.messagePayload(Buffer.from("long text"))];
    expect(
      readMessageContent({ esmClass: 0, shortMessage: Buffer.alloc(0), tlvs }).payload,
    ).toEqual(Buffer.from("long text"));
  });

  it("when the UDH says it is longer than the data, it is a bad UDH", () => {
    const cut = Buffer.from([0x05, 0x00, 0x03]);
    expect(readMessageContent({ esmClass: 0x40, shortMessage: cut, tlvs: [] }).badUdh).toBe(true);
  });
});
