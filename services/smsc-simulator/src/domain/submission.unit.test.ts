import { tlv } from "@smsgw/smpp";
import { concatUdh, encodeGsm7Unpacked, encodeUcs2 } from "@smsgw/sms-text";
import { describe, expect, it } from "vitest";
import { decodeText, describeSubmission } from "./submission.ts";

const at = new Date("2026-11-24T10:00:00.000Z");
const fields = {
  sourceAddr: "MyApp",
  destinationAddr: "37256789045",
  dataCoding: 0,
  esmClass: 0,
  shortMessage: Buffer.from(encodeGsm7Unpacked("Hello €")),
  tlvs: [],
};

describe("describeSubmission", () => {
  it("when a single GSM-7 part arrives, it records its text and no UDH", () => {
    expect(describeSubmission("sim-a", "1a", fields, at)).toEqual({
      carrierId: "sim-a",
      carrierMessageId: "1a",
      source: "MyApp",
      destination: "37256789045",
      dataCoding: 0,
      esmClass: 0,
      udh: null,
      text: "Hello €",
      receivedAt: "2026-11-24T10:00:00.000Z",
    });
  });

  it("when a UCS-2 part with a concatenation UDH arrives, it records the UDH and the text after it", () => {
    const shortMessage = Buffer.concat([concatUdh(7, 3, 2, "udh8"), encodeUcs2("Привет 👋")]);
    const part = describeSubmission(
      "sim-a",
      "1b",
      { ...fields, dataCoding: 8, esmClass: 0x40, shortMessage },
      at,
    );
    expect(part.udh).toEqual({ ref: 7, total: 3, seq: 2 });
    expect(part.text).toBe("Привет 👋");
  });

  it("when the text is in message_payload, it reads it from there", () => {
    const payload = Buffer.from(encodeGsm7Unpacked("long"));
    const part = describeSubmission(
      "sim-a",
      "1c",
      { ...fields, shortMessage: Buffer.alloc(0), tlvs: [tlv.messagePayload(payload)] },
      at,
    );
    expect(part.text).toBe("long");
  });
});

describe("decodeText", () => {
  it("when the bytes do not fit data_coding, it falls back to Latin-1 instead of throwing", () => {
    expect(decodeText(Uint8Array.of(0x41, 0xe9), 0)).toBe("Aé");
    expect(decodeText(Uint8Array.of(0x00, 0x41, 0x42), 8)).toBe("\u0000AB");
  });
  it("when the data is binary, it shows hex", () => {
    expect(decodeText(Uint8Array.of(0x01, 0xff), 4)).toBe("01ff");
  });
});
