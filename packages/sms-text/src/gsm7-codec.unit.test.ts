import { describe, expect, it } from "vitest";
import { MalformedPayloadError, NotGsm7EncodableError, SmsTextError } from "./errors.ts";
import { decodeGsm7Unpacked, encodeGsm7Unpacked } from "./gsm7-codec.ts";
import { GSM7_BASIC_TABLE, GSM7_EXTENSION_TABLE } from "./gsm7-tables.ts";

const bytes = (...values: number[]) => Uint8Array.from(values);

describe("encodeGsm7Unpacked", () => {
  it("when given every basic character, it writes its table position, one septet per octet", () => {
    for (let septet = 0; septet < 128; septet++) {
      if (septet === 0x1b) continue;
      expect(encodeGsm7Unpacked(GSM7_BASIC_TABLE[septet] ?? "")).toEqual(bytes(septet));
    }
  });

  it("when given an extension character, it writes the escape then its code", () => {
    for (const [code, char] of GSM7_EXTENSION_TABLE) {
      expect(encodeGsm7Unpacked(char)).toEqual(bytes(0x1b, code));
    }
    expect(encodeGsm7Unpacked("5€")).toEqual(bytes(0x35, 0x1b, 0x65));
  });

  it("when given a text, it writes the expected octets", () => {
    expect(encodeGsm7Unpacked("@Hi $ Ç\n")).toEqual(
      bytes(0x00, 0x48, 0x69, 0x20, 0x02, 0x20, 0x09, 0x0a),
    );
  });

  it("when a character is not GSM-7, it throws a typed NotGsm7EncodableError naming it", () => {
    let thrown: unknown;
    try {
      encodeGsm7Unpacked("Garçon");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NotGsm7EncodableError);
    expect(thrown).toBeInstanceOf(SmsTextError);
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toMatchObject({
      name: "NotGsm7EncodableError",
      code: "NOT_GSM7_ENCODABLE",
      character: "ç",
      index: 3,
    });
  });

  it("when the offending character is an emoji, the error names the whole code point", () => {
    expect(() => encodeGsm7Unpacked("ok 👍")).toThrow(
      expect.objectContaining({ character: "👍", index: 3 }),
    );
  });
});

describe("decodeGsm7Unpacked", () => {
  it("when decoding what was encoded, it round-trips the whole basic table and every extension character", () => {
    const text =
      GSM7_BASIC_TABLE.replace("\u001b", "") + [...GSM7_EXTENSION_TABLE.values()].join("");
    expect(decodeGsm7Unpacked(encodeGsm7Unpacked(text))).toBe(text);
  });

  it("when decoding mixed text with escapes between basic characters, it round-trips", () => {
    const text = "Price: 5€ {promo} [x] ~y~ a|b \\c ^d\fe ÆØÅ äöüñ ΔΦΓΛΩΠΨΣΘΞ";
    expect(decodeGsm7Unpacked(encodeGsm7Unpacked(text))).toBe(text);
  });

  it("when the escape precedes a code the extension table lacks, it shows the basic character", () => {
    expect(decodeGsm7Unpacked(bytes(0x1b, 0x41))).toBe("A");
  });

  it("when the escape is doubled or trails the payload, it shows a space", () => {
    expect(decodeGsm7Unpacked(bytes(0x41, 0x1b, 0x1b, 0x42))).toBe("A B");
    expect(decodeGsm7Unpacked(bytes(0x41, 0x1b))).toBe("A ");
  });

  it("when an octet is above 0x7F, it throws MalformedPayloadError", () => {
    expect(() => decodeGsm7Unpacked(bytes(0x41, 0x80))).toThrow(MalformedPayloadError);
    expect(() => decodeGsm7Unpacked(bytes(0x1b, 0xe5))).toThrow(MalformedPayloadError);
  });

  it("when the payload is empty, it decodes to an empty text", () => {
    expect(decodeGsm7Unpacked(bytes())).toBe("");
  });
});
