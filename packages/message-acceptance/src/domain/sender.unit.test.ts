import { isGsm7BasicOnly } from "@smsgw/sms-text";
import { describe, expect, it } from "vitest";
import { checkSender } from "./sender.ts";

function refusal(raw: string): string {
  const result = checkSender(raw);
  if (result.ok) throw new Error(`expected ${raw} to be refused`);
  expect(result.error.status).toBe("invalid_sender");
  return result.error.message;
}

describe("checkSender", () => {
  it.each(["MyApp", "A", "ABCDEFGHIJK", "My App 2", "1A", "Unic@de", "Shop-24", "a_b$c!?"])(
    "when it is the alphanumeric %j, it is accepted",
    (sender) => {
      expect(checkSender(sender)).toEqual({ ok: true, value: sender });
    },
  );

  it.each(["1", "37256789045", "+37256789045", "123456789012345", "+123456789012345"])(
    "when it is the numeric %j, it is accepted",
    (sender) => {
      expect(checkSender(sender)).toEqual({ ok: true, value: sender });
    },
  );

  it("when it has spaces around it, they are trimmed", () => {
    expect(checkSender("  MyApp ")).toEqual({ ok: true, value: "MyApp" });
  });

  it("when an alphanumeric sender has 12 characters, it is refused", () => {
    expect(refusal("ABCDEFGHIJKL")).toContain("at most 11 characters");
  });

  it("when a numeric sender has 16 digits, it is refused", () => {
    expect(refusal("1234567890123456")).toContain("at most 15 digits");
    expect(refusal("+1234567890123456")).toContain("at most 15 digits");
  });

  it.each(["Shop€", "My[App]", "Caf\u00e9\u0301", "ЖукApp", "App😀", "A{b}", "a~b", "A\nB"])(
    "when %j has a character outside the GSM-7 basic set, it is refused",
    (sender) => {
      expect(refusal(sender)).toContain("only ASCII letters, digits, spaces");
    },
  );

  it.each(["ÄÖÜ", "Ünic@de", "Café", "Ñandú", "ÆØÅ", "Straße"])(
    "when %j has a GSM-7 letter that is not ASCII, it is refused: routing and carriers would not take it as alphanumeric",
    (sender) => {
      expect(refusal(sender)).toContain("only ASCII letters, digits, spaces");
    },
  );

  it("when a character is accepted in a sender, it is in the GSM-7 basic set", () => {
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
    for (const c of printable) {
      if (checkSender(`A${c}`).ok) expect(isGsm7BasicOnly(c), c).toBe(true);
    }
  });

  it("when it is blank after trimming, it is refused", () => {
    expect(refusal("   ")).toBe("fromNumber is blank");
  });

  it("when it has no letter and is not digits, it is refused as a malformed numeric sender", () => {
    expect(refusal("123-456")).toContain("digits only");
    expect(refusal("12 34")).toContain("digits only");
    expect(refusal("+")).toContain("digits only");
    expect(refusal("!!!")).toContain("digits only");
  });
});
