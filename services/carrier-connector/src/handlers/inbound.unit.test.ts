import { type DeliverSm, dataSmOf, deliverSm, tlv } from "@smsgw/smpp";
import { concatUdh, encodeGsm7Unpacked } from "@smsgw/sms-text";
import { describe, expect, it } from "vitest";
import { inboundOf } from "./inbound.ts";

const now = new Date("2026-12-06T10:00:00.000Z");
const mo = (fields: Partial<Parameters<typeof deliverSm>[0]>) =>
  // The codec's decoded form: the builder's output as a deliver_sm carries it.
  ({
    ...deliverSm({
      sourceAddr: "37256789045",
      sourceAddrTon: 1,
      destinationAddr: "37250000001",
      destAddrTon: 1,
      ...fields,
    }),
    tlvs: fields.tlvs ?? [],
  }) as unknown as Parameters<typeof inboundOf>[1];
const text = (t: string) => Buffer.from(encodeGsm7Unpacked(t));

describe("an MO deliver_sm as the connector records it", () => {
  it("when it comes alone, it has its text, international numbers and no part", () => {
    const received = inboundOf("sim-a", mo({ shortMessage: text("Hello") }), now);
    expect(received).toMatchObject({
      from: "+37256789045",
      to: "+37250000001",
      text: "Hello",
      receivedAt: now.toISOString(),
    });
    expect(received.part).toBeUndefined();
    expect(received.octets).toBeUndefined();
    expect(received.inboundId).toMatch(/^mo_[0-9A-Z]{26}$/);
  });

  it.each([
    ["TON 0 / NPI 1", 0, 1],
    ["TON 0 / NPI 0 (as the simulator sends a number without +)", 0, 0],
  ])(
    "when the carrier gives the numbers without + as %s, they are E.164 if they read as valid international numbers",
    (_how, ton, npi) => {
      const numbers = {
        sourceAddrTon: ton,
        sourceAddrNpi: npi,
        destAddrTon: ton,
        destAddrNpi: npi,
      };
      const received = inboundOf("sim-a", mo({ ...numbers, shortMessage: text("STOP") }), now);
      expect(received).toMatchObject({ from: "+37256789045", to: "+37250000001" });
    },
  );

  it("when a number is national (TON 2), a short code, alphanumeric or no valid number, it stays as the carrier sent it", () => {
    const of = (sourceAddr: string, sourceAddrTon: number) =>
      inboundOf("sim-a", mo({ sourceAddr, sourceAddrTon, sourceAddrNpi: 1 }), now).from;
    expect(of("56789045", 2)).toBe("56789045");
    expect(of("1234", 0)).toBe("1234");
    expect(of("MyShop", 5)).toBe("MyShop");
    expect(of("MyShop", 0)).toBe("MyShop");
    expect(of("99999999999", 0)).toBe("99999999999");
    expect(of("+37256789045", 0)).toBe("+37256789045");
  });

  it.each(["udh8", "udh16"] as const)(
    "when it is a part with a %s header, the text is after the header and the part is recorded",
    (method) => {
      const udh = concatUdh(300 % (method === "udh8" ? 256 : 65_536), 3, 2, method);
      const received = inboundOf(
        "sim-a",
        mo({ esmClass: 0x40, shortMessage: Buffer.concat([udh, text("middle")]) }),
        now,
      );
      expect(received.text).toBe("middle");
      expect(received.part).toEqual({ ref: method === "udh8" ? 44 : 300, total: 3, seq: 2 });
    },
  );

  it("when a part ends mid-character (a GSM-7 escape whose code is in the next part), it carries its octets for the join beside its text decoded alone", () => {
    const udh = concatUdh(5, 2, 1, "udh8");
    const octets = Buffer.from([0x50, 0x61, 0x79, 0x20, 0x35, 0x1b]); // "Pay 5" + the € escape
    const received = inboundOf(
      "sim-a",
      mo({ esmClass: 0x40, shortMessage: Buffer.concat([udh, octets]) }),
      now,
    );
    expect(received).toMatchObject({ text: "Pay 5 ", part: { ref: 5, total: 2, seq: 1 } });
    expect(Buffer.from(received.octets ?? "", "base64")).toEqual(octets);
  });

  it("when it is a part tied by SAR TLVs, the part comes from them", () => {
    const tlvs = [tlv.sarMsgRefNum(7), tlv.sarTotalSegments(2), tlv.sarSegmentSeqnum(1)];
    const received = inboundOf("sim-a", mo({ shortMessage: text("first"), tlvs }), now);
    expect(received).toMatchObject({ text: "first", part: { ref: 7, total: 2, seq: 1 } });
    expect(received.octets).toBe(Buffer.from(text("first")).toString("base64"));
  });

  it("when its octets hold what the record cannot (NUL, a lone surrogate), the terminator goes and the rest shows as U+FFFD", () => {
    const latin1 = inboundOf(
      "sim-a",
      mo({ dataCoding: 3, shortMessage: Buffer.from("ok\u0000\u0001\u0000\u0000", "latin1") }),
      now,
    );
    expect(latin1.text).toBe("ok\uFFFD\u0001");
    const ucs2 = Buffer.from([0x00, 0x41, 0xd8, 0x3d, 0x00, 0x42]);
    expect(inboundOf("sim-a", mo({ dataCoding: 8, shortMessage: ucs2 }), now).text).toBe(
      "A\uFFFDB",
    );
  });

  it("when it comes as a data_sm, the text is its message_payload and a UDH there still marks the part", () => {
    const asDataSm = (fields: Partial<Parameters<typeof deliverSm>[0]>) =>
      ({
        ...dataSmOf(mo(fields) as DeliverSm),
        commandStatus: 0,
        sequenceNumber: 1,
      }) as Parameters<typeof inboundOf>[1];
    expect(inboundOf("sim-a", asDataSm({ shortMessage: text("STOP") }), now)).toMatchObject({
      from: "+37256789045",
      to: "+37250000001",
      text: "STOP",
    });
    const udh = concatUdh(9, 2, 1, "udh8");
    const part = inboundOf(
      "sim-a",
      asDataSm({ esmClass: 0x40, shortMessage: Buffer.concat([udh, text("first")]) }),
      now,
    );
    expect(part).toMatchObject({ text: "first", part: { ref: 9, total: 2, seq: 1 } });
  });
});
