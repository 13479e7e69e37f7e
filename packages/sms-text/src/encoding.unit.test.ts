import { describe, expect, it } from "vitest";
import { detectEncoding, isGsm7BasicOnly } from "./encoding.ts";
import { GSM7_BASIC_TABLE, GSM7_ESCAPE, GSM7_EXTENSION_TABLE } from "./gsm7-tables.ts";

const EXTENSION_CHARS = "\f^{}\\[~]|€";

describe("the GSM 03.38 tables", () => {
  it("when indexed by septet, the basic table has 128 positions with Ç at 0x09 and the escape at 0x1B", () => {
    expect(GSM7_BASIC_TABLE).toHaveLength(128);
    expect(GSM7_BASIC_TABLE[0x00]).toBe("@");
    expect(GSM7_BASIC_TABLE[0x09]).toBe("Ç");
    expect(GSM7_BASIC_TABLE[0x1b]).toBe("\u001b");
    expect(GSM7_ESCAPE).toBe(0x1b);
    expect(GSM7_BASIC_TABLE[0x24]).toBe("¤");
    expect(GSM7_BASIC_TABLE[0x40]).toBe("¡");
    expect(GSM7_BASIC_TABLE[0x60]).toBe("¿");
    expect(GSM7_BASIC_TABLE[0x7f]).toBe("à");
    expect(new Set(GSM7_BASIC_TABLE).size).toBe(128);
  });

  it("when listing the extension table, it holds exactly form feed ^ { } \\ [ ~ ] | €", () => {
    expect([...GSM7_EXTENSION_TABLE.values()].join("")).toBe(EXTENSION_CHARS);
    expect(GSM7_EXTENSION_TABLE.get(0x65)).toBe("€");
    expect(GSM7_EXTENSION_TABLE.get(0x0a)).toBe("\f");
  });
});

describe("detectEncoding", () => {
  it("when every character is in the basic or extension table, it picks GSM-7", () => {
    expect(detectEncoding(GSM7_BASIC_TABLE.replace("\u001b", ""))).toBe("gsm7");
    expect(detectEncoding(EXTENSION_CHARS)).toBe("gsm7");
    expect(detectEncoding("Ça coûte 5€")).toBe("ucs2"); // û is not GSM-7
    expect(detectEncoding("Ça va? 5€ {ok}")).toBe("gsm7");
  });

  it("when the text is empty, it picks GSM-7", () => {
    expect(detectEncoding("")).toBe("gsm7");
  });

  it.each([
    ["ç (only capital Ç is at 0x09)", "ç"],
    ["the backtick", "`"],
    ["a left single curly quote", "\u2018"],
    ["a right single curly quote", "\u2019"],
    ["a left double curly quote", "\u201c"],
    ["a right double curly quote", "\u201d"],
    ["the escape control itself", "\u001b"],
    ["a non-breaking space", "\u00a0"],
    ["an emoji", "😀"],
    ["a lone surrogate", "\ud83d"],
  ])("when the text holds %s, it picks UCS-2", (_name, char) => {
    expect(detectEncoding(`Hello ${char} world`)).toBe("ucs2");
  });

  it("when one Cyrillic letter sits in a long GSM-7 text, the whole message switches to UCS-2", () => {
    expect(detectEncoding(`${"a".repeat(300)}ж${"b".repeat(300)}`)).toBe("ucs2");
  });
});

describe("isGsm7BasicOnly", () => {
  it("when every character is in the basic table, it accepts the sender ID", () => {
    expect(isGsm7BasicOnly("MyShop 24")).toBe(true);
    expect(isGsm7BasicOnly("Ça&Co")).toBe(true);
  });

  it.each([
    ["an extension character", "Shop€"],
    ["a brace", "Shop{1}"],
    ["ç", "Garçon"],
    ["a Cyrillic letter", "Магазин"],
    ["an emoji", "Shop😀"],
  ])("when the text holds %s, it rejects it", (_name, text) => {
    expect(isGsm7BasicOnly(text)).toBe(false);
  });
});
