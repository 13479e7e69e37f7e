import { describe, expect, it } from "vitest";
import { encodeGsm7Unpacked } from "./gsm7-codec.ts";
import { decodeReceivedText, recordableText } from "./received-text.ts";
import { encodeUcs2 } from "./ucs2-codec.ts";

const bytes = (...values: number[]) => Uint8Array.from(values);

describe("decodeReceivedText", () => {
  it("when data_coding is 0, it reads GSM-7 unpacked, an escape pair as one character", () => {
    expect(decodeReceivedText(encodeGsm7Unpacked("5 € {ok}"), 0)).toBe("5 € {ok}");
  });

  it("when data_coding is 8, it reads UCS-2 with its surrogate pairs", () => {
    expect(decodeReceivedText(encodeUcs2("Привет 😀"), 8)).toBe("Привет 😀");
  });

  it("when data_coding is another value, it reads Latin-1", () => {
    expect(decodeReceivedText(bytes(0x4f, 0x6c, 0xe9), 3)).toBe("Olé");
  });

  it("when the octets are not what data_coding said (odd UCS-2, octets over 0x7F in GSM-7), it reads them as Latin-1", () => {
    expect(decodeReceivedText(bytes(0x00, 0x41, 0x42), 8)).toBe("\uFFFDAB");
    expect(decodeReceivedText(bytes(0x41, 0xe9), 0)).toBe("Aé");
  });

  it("when the octets hold what the record cannot (NUL, a lone surrogate), the terminators go and the rest shows as U+FFFD", () => {
    expect(decodeReceivedText(bytes(0x6f, 0x6b, 0x00, 0x01, 0x00, 0x00), 3)).toBe("ok\uFFFD\u0001");
    expect(decodeReceivedText(bytes(0x00, 0x41, 0xd8, 0x3d, 0x00, 0x42), 8)).toBe("A\uFFFDB");
  });

  it("when a GSM-7 escape or a surrogate pair is cut between two pieces, only the whole reads right", () => {
    const euro = encodeGsm7Unpacked("a€b");
    expect(
      decodeReceivedText(euro.subarray(0, 2), 0) + decodeReceivedText(euro.subarray(2), 0),
    ).toBe("a eb");
    expect(decodeReceivedText(euro, 0)).toBe("a€b");
    const emoji = encodeUcs2("a😀b");
    expect(
      decodeReceivedText(emoji.subarray(0, 4), 8) + decodeReceivedText(emoji.subarray(4), 8),
    ).toBe("a\uFFFD\uFFFDb");
    expect(decodeReceivedText(emoji, 8)).toBe("a😀b");
  });

  it("when data_coding is 0, an @ (septet 0x00) is a character, not a terminator", () => {
    expect(decodeReceivedText(bytes(0x41, 0x00), 0)).toBe("A@");
  });
});

describe("recordableText", () => {
  it("when a text holds nothing a record refuses, it is kept as it is", () => {
    expect(recordableText("Hello 😀")).toBe("Hello 😀");
  });
});
