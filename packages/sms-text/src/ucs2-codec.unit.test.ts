import { describe, expect, it } from "vitest";
import { encodePart } from "./encode-part.ts";
import { MalformedPayloadError, NotGsm7EncodableError } from "./errors.ts";
import { GSM7_EXTENSION_TABLE } from "./gsm7-tables.ts";
import { decodeUcs2, encodeUcs2 } from "./ucs2-codec.ts";

const bytes = (...values: number[]) => Uint8Array.from(values);

describe("encodeUcs2", () => {
  it("when given a text, it writes UTF-16BE, surrogate pairs as two code units", () => {
    expect(encodeUcs2("Aж😀")).toEqual(bytes(0x00, 0x41, 0x04, 0x36, 0xd8, 0x3d, 0xde, 0x00));
  });

  it("when given GSM-7 characters, it writes their Unicode code units, not septets", () => {
    expect(encodeUcs2("@€")).toEqual(bytes(0x00, 0x40, 0x20, 0xac));
  });
});

describe("decodeUcs2", () => {
  it("when decoding what was encoded, it round-trips Cyrillic, emoji, CJK and every extension character", () => {
    const text = `Привет мир 😀👨‍👩‍👧🇫🇷 中文 e\u0301 ${[...GSM7_EXTENSION_TABLE.values()].join("")} ç\`’”`;
    expect(decodeUcs2(encodeUcs2(text))).toBe(text);
  });

  it("when the payload has an odd number of octets, it throws MalformedPayloadError", () => {
    expect(() => decodeUcs2(bytes(0x00, 0x41, 0x00))).toThrow(MalformedPayloadError);
  });
});

describe("encodePart", () => {
  it("when the message is GSM-7, it writes septets", () => {
    expect(encodePart({ text: "a€" }, "gsm7")).toEqual(bytes(0x61, 0x1b, 0x65));
  });

  it("when the message is UCS-2, it writes UTF-16BE", () => {
    expect(encodePart({ text: "a€" }, "ucs2")).toEqual(bytes(0x00, 0x61, 0x20, 0xac));
  });

  it("when GSM-7 is asked for a part it cannot encode, it throws NotGsm7EncodableError", () => {
    expect(() => encodePart({ text: "ж" }, "gsm7")).toThrow(NotGsm7EncodableError);
  });
});
