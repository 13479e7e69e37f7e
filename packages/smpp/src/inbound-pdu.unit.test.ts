import { decodeGsm7Unpacked, decodeUcs2 } from "@smsgw/sms-text";
import { describe, expect, it } from "vitest";
import { inboundDeliverSm } from "./inbound-pdu.ts";
import { readMessageContent } from "./message-content.ts";

const textOf = (pdu: ReturnType<typeof inboundDeliverSm>) => {
  const { payload } = readMessageContent(pdu);
  return pdu.dataCoding === 8 ? decodeUcs2(payload) : decodeGsm7Unpacked(payload);
};

describe("an inbound message as deliver_sm", () => {
  it("when the text fits GSM-7, it goes in short_message, data_coding 0, from the handset to the account's number", () => {
    const pdu = inboundDeliverSm({ from: "+37256789045", to: "+37250000001", text: "STOP {now}" });
    expect(pdu).toMatchObject({
      command: "deliver_sm",
      esmClass: 0,
      dataCoding: 0,
      sourceAddr: "37256789045",
      sourceAddrTon: 1,
      destinationAddr: "37250000001",
      destAddrTon: 1,
    });
    expect(pdu.tlvs).toEqual([]);
    expect(textOf(pdu)).toBe("STOP {now}");
  });

  it("when the text needs UCS-2, it is data_coding 8 and reads back the same", () => {
    const pdu = inboundDeliverSm({ from: "+37256789045", to: "+37250000001", text: "Привет 👋" });
    expect(pdu.dataCoding).toBe(8);
    expect(textOf(pdu)).toBe("Привет 👋");
  });

  it("when the text is longer than short_message holds, all of it goes in message_payload", () => {
    const text = "A long reply. ".repeat(40);
    const pdu = inboundDeliverSm({ from: "+37256789045", to: "+37250000001", text });
    expect(pdu.shortMessage).toHaveLength(0);
    expect(pdu.tlvs).toHaveLength(1);
    expect(textOf(pdu)).toBe(text);
  });
});
