import { describe, expect, it } from "vitest";
import { concatUdh, parseConcatUdh } from "./concat-udh.ts";
import { InvalidConcatHeaderError } from "./errors.ts";

const bytes = (...values: number[]) => Uint8Array.from(values);

describe("concatUdh", () => {
  it("when the reference is 8-bit, it writes 05 00 03 ref total seq", () => {
    expect(concatUdh(0xa7, 3, 2, "udh8")).toEqual(bytes(0x05, 0x00, 0x03, 0xa7, 0x03, 0x02));
  });

  it("when the reference is 16-bit, it writes 06 08 04 refHi refLo total seq", () => {
    expect(concatUdh(0x1234, 3, 3, "udh16")).toEqual(
      bytes(0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x03),
    );
  });

  it.each([
    ["an 8-bit reference above 255", 256, 2, 1, "udh8"],
    ["a 16-bit reference above 65535", 65536, 2, 1, "udh16"],
    ["a negative reference", -1, 2, 1, "udh8"],
    ["a total of 0", 1, 0, 1, "udh8"],
    ["a total above 255", 1, 256, 1, "udh8"],
    ["a sequence of 0", 1, 2, 0, "udh8"],
    ["a sequence above the total", 1, 2, 3, "udh16"],
    ["a fractional sequence", 1, 2, 1.5, "udh8"],
  ] as const)(
    "when given %s, it throws InvalidConcatHeaderError",
    (_name, ref, total, seq, method) => {
      expect(() => concatUdh(ref, total, seq, method)).toThrow(InvalidConcatHeaderError);
    },
  );
});

describe("parseConcatUdh", () => {
  it("when reading a header it built, it returns the same reference, total and sequence", () => {
    const text = bytes(0x48, 0x69);
    const udh8 = concatUdh(200, 4, 4, "udh8");
    expect(parseConcatUdh(Uint8Array.from([...udh8, ...text]))).toEqual({
      method: "udh8",
      ref: 200,
      total: 4,
      seq: 4,
      headerLength: 6,
    });
    expect(parseConcatUdh(concatUdh(0xbeef, 2, 1, "udh16"))).toEqual({
      method: "udh16",
      ref: 0xbeef,
      total: 2,
      seq: 1,
      headerLength: 7,
    });
  });

  it("when other elements come first, it skips them and counts them in the header length", () => {
    // national language single shift (0x24, 1 octet) then the 8-bit concat element
    const udh = bytes(0x08, 0x24, 0x01, 0x02, 0x00, 0x03, 0x09, 0x02, 0x01, 0x41);
    expect(parseConcatUdh(udh)).toEqual({
      method: "udh8",
      ref: 9,
      total: 2,
      seq: 1,
      headerLength: 9,
    });
  });

  it.each([
    ["an empty payload", bytes()],
    ["a header without a concat element", bytes(0x03, 0x24, 0x01, 0x02, 0x41)],
    ["a header longer than the payload", bytes(0x05, 0x00, 0x03, 0x01)],
    ["an element overrunning the header", bytes(0x04, 0x00, 0x03, 0x01, 0x02, 0x01)],
  ])("when given %s, it returns null", (_name, payload) => {
    expect(parseConcatUdh(payload)).toBeNull();
  });

  it.each([
    ["a sequence of 0", bytes(0x05, 0x00, 0x03, 0x07, 0x02, 0x00), "udh8", 2, 0],
    ["a sequence above the total", bytes(0x05, 0x00, 0x03, 0x07, 0x02, 0x03), "udh8", 2, 3],
    ["a total of 0", bytes(0x05, 0x00, 0x03, 0x07, 0x00, 0x00), "udh8", 0, 0],
    [
      "a 16-bit sequence above the total",
      bytes(0x06, 0x08, 0x04, 0x00, 0x07, 0x02, 0x03),
      "udh16",
      2,
      3,
    ],
  ] as const)(
    "when given %s, it returns the element as read (the caller refuses the part; it is not a message alone)",
    (_name, payload, method, total, seq) => {
      expect(parseConcatUdh(payload)).toEqual({
        method,
        ref: 7,
        total,
        seq,
        headerLength: payload.length,
      });
    },
  );

  it("when an unknown element follows an invalid concat element, it skips the unknown one and returns the concat element as read", () => {
    const udh = bytes(0x08, 0x00, 0x03, 0x07, 0x02, 0x03, 0x24, 0x01, 0x02, 0x41);
    expect(parseConcatUdh(udh)).toMatchObject({ total: 2, seq: 3, headerLength: 9 });
  });
});
