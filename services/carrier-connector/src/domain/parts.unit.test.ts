import { readKnownTlvs } from "@smsgw/smpp";
import { decodeGsm7Unpacked, decodeUcs2, parseConcatUdh } from "@smsgw/sms-text";
import { describe, expect, it } from "vitest";
import { buildParts } from "./parts.ts";

describe("buildParts", () => {
  it("when the reference is to be drawn, it is drawn once for a message in parts and never for one part", () => {
    let drawn = 0;
    const draw = () => ++drawn + 0x41;
    expect(buildParts("Hello", draw).ok).toBe(true);
    expect(drawn).toBe(0);
    const plan = buildParts("x".repeat(200), draw);
    expect(drawn).toBe(1);
    const udh = plan.ok ? parseConcatUdh(Buffer.from(plan.parts[1]?.shortMessage ?? [])) : null;
    expect(udh).toMatchObject({ ref: 0x42, total: 2, seq: 2 });
  });

  it("when a GSM-7 text fits one part, it is sent unpacked with no UDH", () => {
    const plan = buildParts("Hello €", 9);
    expect(plan).toEqual({
      ok: true,
      encoding: "gsm7",
      parts: [
        {
          part: 1,
          total: 1,
          dataCoding: 0,
          esmClass: 0,
          shortMessage: Uint8Array.of(0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x1b, 0x65),
          tlvs: [],
          covers: 1,
        },
      ],
    });
  });

  it("when a UCS-2 text needs three parts, each starts with 05 00 03 ref 3 seq and is UCS-2", () => {
    const text = `Tere 👋 ${"ä€ж".repeat(60)}`;
    const plan = buildParts(text, 200);
    if (!plan.ok) throw new Error(plan.problem);
    expect(plan.parts).toHaveLength(3);
    let rebuilt = "";
    for (const [i, part] of plan.parts.entries()) {
      expect(part).toMatchObject({ part: i + 1, total: 3, dataCoding: 8, esmClass: 0x40 });
      expect([...part.shortMessage.subarray(0, 6)]).toEqual([5, 0, 3, 200, 3, i + 1]);
      expect(parseConcatUdh(part.shortMessage)).toMatchObject({ ref: 200, total: 3, seq: i + 1 });
      expect(part.shortMessage.length).toBeLessThanOrEqual(140);
      rebuilt += decodeUcs2(part.shortMessage.subarray(6));
    }
    expect(rebuilt).toBe(text);
  });

  it("when a GSM-7 text needs two parts, it keeps 153 septets a part and the escape pairs whole", () => {
    const text = `${"a".repeat(152)}€${"b".repeat(10)}`;
    const plan = buildParts(text, 1);
    if (!plan.ok) throw new Error(plan.problem);
    expect(plan.parts.map((p) => p.shortMessage.length - 6)).toEqual([152, 12]);
    expect(plan.parts.map((p) => decodeGsm7Unpacked(p.shortMessage.subarray(6))).join("")).toBe(
      text,
    );
  });

  it("when a text needs more than 255 parts, it is refused", () => {
    const plan = buildParts("x".repeat(153 * 256), 1);
    expect(plan.ok).toBe(false);
  });
});

describe("buildParts with the carrier's concatenation style", () => {
  const long = "a".repeat(200);

  it("when the style is udh16, each part starts with 06 08 04 refHi refLo total seq", () => {
    const plan = buildParts(long, 0x1234, "udh16");
    if (!plan.ok) throw new Error(plan.problem);
    expect(plan.parts.map((p) => [...p.shortMessage.subarray(0, 7)])).toEqual([
      [0x06, 0x08, 0x04, 0x12, 0x34, 2, 1],
      [0x06, 0x08, 0x04, 0x12, 0x34, 2, 2],
    ]);
    expect(plan.parts.every((p) => p.esmClass === 0x40)).toBe(true);
  });

  it("when the style is sar, the parts carry no UDH and the three SAR TLVs", () => {
    const plan = buildParts(long, 0x1234, "sar");
    if (!plan.ok) throw new Error(plan.problem);
    expect(plan.parts.map((p) => [p.esmClass, p.shortMessage.length])).toEqual([
      [0, 153],
      [0, 47],
    ]);
    expect(readKnownTlvs(plan.parts[1]?.tlvs ?? [])).toMatchObject({
      sarMsgRefNum: 0x1234,
      sarTotalSegments: 2,
      sarSegmentSeqnum: 2,
    });
  });

  it("when the style is payload, one submit carries the whole text in message_payload", () => {
    const plan = buildParts(long, 1, "payload");
    if (!plan.ok) throw new Error(plan.problem);
    expect(plan.parts).toHaveLength(1);
    expect(plan.parts[0]?.shortMessage.length).toBe(0);
    expect(readKnownTlvs(plan.parts[0]?.tlvs ?? []).messagePayload?.length).toBe(200);
  });
});

describe("buildParts sends the parts that were billed (ADR 0011)", () => {
  const text = "a".repeat(306); // 2 parts of 153, or 3 of 152

  it("when a udh16 carrier gets a text billed for 16-bit-UDH parts, it sends that many", () => {
    const plan = buildParts(text, 0x1234, "udh16", 0, "udh16");
    if (!plan.ok) throw new Error(plan.problem);
    expect(plan.parts.map((p) => p.shortMessage.length)).toEqual([7 + 152, 7 + 152, 7 + 2]);
  });

  it("when a udh8 carrier gets a text billed for 16-bit-UDH parts, it splits as billed, with its own 8-bit header", () => {
    const plan = buildParts(text, 0x1234, "udh8", 0, "udh16");
    if (!plan.ok) throw new Error(plan.problem);
    expect(plan.parts.map((p) => p.shortMessage.length)).toEqual([6 + 152, 6 + 152, 6 + 2]);
    expect([...(plan.parts[0]?.shortMessage.subarray(0, 6) ?? [])]).toEqual([
      0x05, 0x00, 0x03, 0x34, 3, 1,
    ]);
  });

  it("when a udh8 carrier gets a text billed for 8-bit-UDH parts, it keeps 153 septets a part", () => {
    const plan = buildParts(text, 1, "udh8", 0, "udh8");
    expect(plan.ok && plan.parts).toHaveLength(2);
  });
});

describe("buildParts with the carrier's data_coding for the default alphabet", () => {
  it("when the carrier wants Latin-1 (3) and the text fits, the octets are Latin-1", () => {
    const plan = buildParts("Olé £5", 1, "udh8", 3);
    if (!plan.ok) throw new Error(plan.problem);
    expect(plan.parts[0]).toMatchObject({ dataCoding: 3 });
    expect(Buffer.from(plan.parts[0]?.shortMessage ?? []).toString("latin1")).toBe("Olé £5");
  });

  it("when the text has a character the charset lacks, it goes as GSM-7 with data_coding 0", () => {
    const plan = buildParts("Price €5", 1, "udh8", 1);
    if (!plan.ok) throw new Error(plan.problem);
    expect(plan.parts[0]?.dataCoding).toBe(0);
  });
});
