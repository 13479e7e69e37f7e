import { describe, expect, it } from "vitest";
import { encodePart } from "./encode-part.ts";
import { NotGsm7EncodableError } from "./errors.ts";
import { countParts, type SegmentOptions, segment } from "./segment.ts";

const units = (text: string, options?: SegmentOptions) =>
  segment(text, options).parts.map((part) => part.units);

const CYR = "ж"; // one UTF-16 unit, not GSM-7
const EMOJI = "😀"; // a surrogate pair: two UTF-16 units

describe("segment, GSM-7", () => {
  it("when the text is empty, it gives one GSM-7 part of 0 units", () => {
    expect(segment("")).toEqual({
      encoding: "gsm7",
      dataCoding: 0,
      units: 0,
      parts: [{ text: "", units: 0 }],
    });
  });

  it("when the text has 160 septets, it fits one part", () => {
    expect(units("a".repeat(160))).toEqual([160]);
  });

  it("when the text has 161 septets, it splits into 153 + 8", () => {
    expect(units("a".repeat(161))).toEqual([153, 8]);
  });

  it("when the text has 153*2 septets, it takes exactly two parts", () => {
    expect(units("a".repeat(306))).toEqual([153, 153]);
  });

  it("when the text has 153*2+1 septets, it takes three parts", () => {
    expect(units("a".repeat(307))).toEqual([153, 153, 1]);
  });

  it("when concat is udh16, the parts hold 152 septets", () => {
    expect(units("a".repeat(160), { concat: "udh16" })).toEqual([160]);
    expect(units("a".repeat(161), { concat: "udh16" })).toEqual([152, 9]);
    expect(units("a".repeat(304), { concat: "udh16" })).toEqual([152, 152]);
    expect(units("a".repeat(305), { concat: "udh16" })).toEqual([152, 152, 1]);
  });

  it("when an extension character would straddle the 153-septet boundary, it moves whole into the next part", () => {
    const text = `${"a".repeat(152)}€${"b".repeat(10)}`;
    const result = segment(text);
    expect(result.units).toBe(164);
    expect(result.parts).toEqual([
      { text: "a".repeat(152), units: 152 },
      { text: `€${"b".repeat(10)}`, units: 12 },
    ]);
    const first = encodePart(result.parts[0] ?? { text: "" }, "gsm7");
    expect(first).toHaveLength(152);
    expect(first.at(-1)).not.toBe(0x1b);
  });

  it("when an extension character ends exactly at septet 153, it stays in the first part", () => {
    const result = segment(`${"a".repeat(151)}€${"b".repeat(10)}`);
    expect(result.parts.map((part) => part.units)).toEqual([153, 10]);
    expect(result.parts[0]?.text.endsWith("€")).toBe(true);
  });

  it("when extension characters count, each takes two septets", () => {
    expect(segment("€".repeat(80)).units).toBe(160);
    expect(units("€".repeat(80))).toEqual([160]);
    expect(units("€".repeat(81))).toEqual([152, 10]);
  });

  it("when the text holds Ç, it stays GSM-7 with data_coding 0", () => {
    const result = segment("Ça va");
    expect(result.encoding).toBe("gsm7");
    expect(result.dataCoding).toBe(0);
  });
});

describe("segment, UCS-2", () => {
  it("when the text has 70 units, it fits one part with data_coding 8", () => {
    const result = segment(CYR.repeat(70));
    expect(result.encoding).toBe("ucs2");
    expect(result.dataCoding).toBe(8);
    expect(result.parts.map((part) => part.units)).toEqual([70]);
  });

  it("when the text has 71 units, it splits into 67 + 4", () => {
    expect(units(CYR.repeat(71))).toEqual([67, 4]);
  });

  it("when the text has 67*2 units, it takes exactly two parts", () => {
    expect(units(CYR.repeat(134))).toEqual([67, 67]);
  });

  it("when the text has 67*2+1 units, it takes three parts", () => {
    expect(units(CYR.repeat(135))).toEqual([67, 67, 1]);
  });

  it("when concat is udh16, the parts hold 66 units", () => {
    expect(units(CYR.repeat(71), { concat: "udh16" })).toEqual([66, 5]);
    expect(units(CYR.repeat(132), { concat: "udh16" })).toEqual([66, 66]);
    expect(units(CYR.repeat(133), { concat: "udh16" })).toEqual([66, 66, 1]);
  });

  it("when an emoji would straddle the 67-unit boundary, it moves whole into the next part", () => {
    const result = segment(`${CYR.repeat(66)}${EMOJI}${CYR.repeat(5)}`);
    expect(result.units).toBe(73);
    expect(result.parts).toEqual([
      { text: CYR.repeat(66), units: 66 },
      { text: `${EMOJI}${CYR.repeat(5)}`, units: 7 },
    ]);
  });

  it("when an emoji ends exactly at unit 67, it stays in the first part", () => {
    expect(units(`${CYR.repeat(65)}${EMOJI}${CYR.repeat(5)}`)).toEqual([67, 5]);
  });

  it("when a multi-code-point emoji (a ZWJ family, a flag) straddles the boundary, it moves whole", () => {
    const family = "👨‍👩‍👧"; // 8 units
    const familyParts = segment(`${CYR.repeat(62)}${family}${CYR.repeat(5)}`);
    expect(familyParts.parts.map((part) => part.text)).toEqual([
      CYR.repeat(62),
      `${family}${CYR.repeat(5)}`,
    ]);
    const flag = "🇫🇷"; // 4 units
    expect(units(`${CYR.repeat(65)}${flag}${CYR.repeat(5)}`)).toEqual([65, 9]);
  });

  it("when one grapheme cluster is longer than a part, it breaks between code points, never inside a surrogate pair", () => {
    const zalgo = `e${"\u0301".repeat(100)}`;
    expect(units(zalgo)).toEqual([67, 34]);
    const chain = `${"👨‍".repeat(30)}👨`; // one ZWJ cluster of 92 units
    const result = segment(chain);
    expect(result.parts.map((part) => part.units)).toEqual([66, 26]);
    for (const part of result.parts) {
      expect(part.text).toMatch(/^(?![\udc00-\udfff])[\s\S]*(?<![\ud800-\udbff])$/);
    }
  });

  it("when CR LF straddles the boundary, it may split between them, as GSM-7 does", () => {
    expect(units(`${CYR.repeat(66)}\r\n${CYR.repeat(5)}`)).toEqual([67, 6]);
  });

  it("when one non-GSM character sits in mixed text, the whole message is counted in UCS-2", () => {
    const result = segment(`${"a".repeat(100)}${CYR}`);
    expect(result.encoding).toBe("ucs2");
    expect(result.units).toBe(101);
    expect(result.parts.map((part) => part.units)).toEqual([67, 34]);
  });

  it.each([
    ["ç", "ç"],
    ["the backtick", "`"],
    ["curly quotes", "\u201cquoted\u201d"],
  ])("when the text holds %s, it goes UCS-2", (_name, chars) => {
    expect(segment(`Hello ${chars}`).encoding).toBe("ucs2");
  });
});

describe("segment, forced encoding", () => {
  it("when UCS-2 is forced on GSM-7 text, it counts UTF-16 units", () => {
    const result = segment("a".repeat(71), { encoding: "ucs2" });
    expect(result.encoding).toBe("ucs2");
    expect(result.parts.map((part) => part.units)).toEqual([67, 4]);
  });

  it("when GSM-7 is forced on text it cannot encode, it throws NotGsm7EncodableError", () => {
    expect(() => segment("Hi жо", { encoding: "gsm7" })).toThrow(NotGsm7EncodableError);
    expect(() => countParts("Hi 😀", { encoding: "gsm7" })).toThrow(/U\+1F600 at index 3/);
  });
});

describe("countParts", () => {
  const cases: Array<[string, SegmentOptions]> = [
    ["", {}],
    ["a".repeat(160), {}],
    ["a".repeat(161), {}],
    ["a".repeat(307), { concat: "udh16" }],
    [`${"a".repeat(152)}€${"b".repeat(10)}`, {}],
    ["€".repeat(500), {}],
    [CYR.repeat(135), {}],
    [`${CYR.repeat(66)}${EMOJI}${CYR.repeat(5)}`, {}],
    [`${"👨‍👩‍👧".repeat(40)}`, { concat: "udh16" }],
  ];

  it.each(cases)("when counting %#, it agrees with segment", (text, options) => {
    const full = segment(text, options);
    expect(countParts(text, options)).toEqual({
      encoding: full.encoding,
      parts: full.parts.length,
      units: full.units,
    });
    expect(full.parts.map((part) => part.text).join("")).toBe(text);
  });
});
