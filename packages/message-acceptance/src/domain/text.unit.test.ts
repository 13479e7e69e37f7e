import { describe, expect, it } from "vitest";
import { checkTextBounds, countTextParts, maxTextLength } from "./text.ts";

describe("the text's length bound and part count", () => {
  it("when the limit is one part, the bound is 160; else 153 per part", () => {
    expect(maxTextLength(1)).toBe(160);
    expect(maxTextLength(10)).toBe(1530);
  });

  it('when a text holds U+0000 (NUL), it is refused as invalid_params, saying so; an "@" (GSM-7\'s 0x00) passes', () => {
    expect(checkTextBounds("nul \u0000 inside", 10)).toEqual({
      ok: false,
      error: {
        status: "invalid_params",
        message: "text contains U+0000 (NUL), which no SMS alphabet has",
      },
    });
    expect(checkTextBounds("mail@example.com", 10).ok).toBe(true);
  });

  it("when a text holds a lone UTF-16 surrogate, it is refused as invalid_params; a pair (an emoji) passes", () => {
    for (const text of ["Hi \ud83d there", "Hi \ude00", "\ude00\ud83d"]) {
      expect(checkTextBounds(text, 10)).toEqual({
        ok: false,
        error: {
          status: "invalid_params",
          message: "text contains a lone UTF-16 surrogate (half of a pair, not a character)",
        },
      });
    }
    expect(checkTextBounds("Hi \ud83d\ude00 there", 10).ok).toBe(true);
  });

  it("when a text is at the bound, it passes the bound; one more character does not", () => {
    expect(checkTextBounds("a".repeat(1530), 10).ok).toBe(true);
    expect(checkTextBounds("a".repeat(1531), 10).ok).toBe(false);
  });

  it("for any text within the bound that countTextParts refuses, the bound was not too tight", () => {
    // The bound never refuses a text that fits: at the bound, GSM-7 fills exactly maxParts.
    for (const maxParts of [1, 2, 3, 10]) {
      const text = "a".repeat(maxTextLength(maxParts));
      expect(countTextParts(text, maxParts)).toMatchObject({
        ok: true,
        value: { parts: maxParts },
      });
    }
  });

  it("when text is over the part limit, it is refused with its part count", () => {
    expect(countTextParts("ж".repeat(67 * 10 + 1), 10)).toEqual({
      ok: false,
      error: { status: "invalid_params", message: "text is 11 parts long; the limit is 10 parts" },
    });
    expect(countTextParts("a".repeat(153 * 3), 3)).toEqual({
      ok: true,
      value: { encoding: "gsm7", parts: 3, concat: "udh8" },
    });
  });

  it("when text has a character outside GSM-7, it counts UCS-2 parts", () => {
    expect(countTextParts("ж".repeat(67 * 2 + 1), 10)).toEqual({
      ok: true,
      value: { encoding: "ucs2", parts: 3, concat: "udh8" },
    });
  });

  it("when the destination's carriers use a 16-bit UDH, parts hold 152 GSM-7 or 66 UCS-2 characters", () => {
    expect(countTextParts("a".repeat(306), 10, "udh16")).toMatchObject({ value: { parts: 3 } });
    expect(countTextParts("a".repeat(306), 10, "udh8")).toMatchObject({ value: { parts: 2 } });
    expect(countTextParts("ж".repeat(67 * 2), 10, "udh16")).toMatchObject({
      value: { encoding: "ucs2", parts: 3, concat: "udh16" },
    });
    // 1,530 characters: 10 parts with an 8-bit reference, 11 (over the limit) with a 16-bit one.
    expect(countTextParts("a".repeat(1530), 10, "udh16")).toEqual({
      ok: false,
      error: {
        status: "invalid_params",
        message:
          "text is 11 parts long (this destination's carriers leave 152 GSM-7 or 66 UCS-2 characters a part); the limit is 10 parts",
      },
    });
  });
});
