import { readKnownTlvs, readMessageContent } from "@smsgw/smpp";
import { encodeGsm7Unpacked } from "@smsgw/sms-text";
import { describe, expect, it } from "vitest";
import { deliveredAs, moDeliverSms } from "./receipt.ts";

const mo = { from: "+37256789045", to: "+37250000001", text: "x".repeat(400) };

describe("an MO on command", () => {
  it("when no concatenation is asked for, one deliver_sm carries the text", () => {
    const [pdu, ...rest] = moDeliverSms({ ...mo, text: "Hello" });
    expect(rest).toHaveLength(0);
    expect(pdu).toMatchObject({ esmClass: 0, sourceAddr: "37256789045", sourceAddrTon: 1 });
  });

  it.each(["udh8", "udh16", "sar"] as const)(
    "when %s is asked for, a long text goes as numbered parts with one reference",
    (concat) => {
      const pdus = moDeliverSms({ ...mo, concat, ref: 42 });
      const parts = pdus.map((pdu) => readMessageContent(pdu).part);
      expect(parts).toEqual([1, 2, 3].map((seq) => ({ ref: 42, total: 3, seq })));
    },
  );

  it("when only some parts are asked for, only those are sent, still numbered of the whole", () => {
    const pdus = moDeliverSms({ ...mo, concat: "udh8", onlyParts: [1, 3] });
    const seqs = pdus.map((pdu) => readMessageContent(pdu).part?.seq);
    expect(seqs).toEqual([1, 3]);
  });

  it("when octet offsets are given, the encoded text is cut there, mid-character too", () => {
    const pdus = moDeliverSms({ ...mo, text: "Pay 5€ now", concat: "sar", ref: 3, splitAt: [6] });
    const payloads = pdus.map((pdu) => Buffer.from(readMessageContent(pdu).payload));
    expect(payloads).toEqual([
      Buffer.from(encodeGsm7Unpacked("Pay 5€ now")).subarray(0, 6),
      Buffer.from(encodeGsm7Unpacked("Pay 5€ now")).subarray(6),
    ]);
    expect(payloads[0]?.at(-1)).toBe(0x1b);
    expect(pdus.map((pdu) => readMessageContent(pdu).part)).toEqual([
      { ref: 3, total: 2, seq: 1 },
      { ref: 3, total: 2, seq: 2 },
    ]);
  });
});

describe("a receipt or MO as the carrier sends it", () => {
  const [pdu] = moDeliverSms({ ...mo, text: "Hello" });
  const deliver = pdu as NonNullable<typeof pdu>;

  it("when the carrier sends deliver_sm, the PDU goes as it is", () => {
    expect(deliveredAs(deliver, "deliver_sm")).toBe(deliver);
  });

  it("when the carrier sends data_sm, the same message goes as a data_sm, its text in message_payload", () => {
    const data = deliveredAs(deliver, "data_sm");
    expect(data).toMatchObject({
      command: "data_sm",
      sourceAddr: deliver.sourceAddr,
      esmClass: 0,
      dataCoding: deliver.dataCoding,
    });
    expect(readKnownTlvs(data.tlvs).messagePayload).toEqual(deliver.shortMessage);
  });
});
