import { describe, expect, it } from "vitest";
import { formatPhone } from "./format.ts";

describe("formatPhone", () => {
  it("when given a local number with a country hint, it answers E.164, type and formats", () => {
    expect(formatPhone("5678 9045", "ee")).toEqual({
      ok: true,
      value: {
        input: "5678 9045",
        e164: "+37256789045",
        valid: true,
        reason: null,
        country: "EE",
        countryCallingCode: "372",
        nationalNumber: "56789045",
        type: "mobile",
        international: "+372 5678 9045",
        national: "5678 9045",
      },
    });
  });

  it("when given messy international input, the hint is not needed", () => {
    const result = formatPhone(" +1 (202) 555-0143 ", undefined);
    expect(result.ok && result.value.e164).toBe("+12025550143");
  });

  it("when the number parses but is not valid, it says why", () => {
    const result = formatPhone("+3725678", undefined);
    expect(result.ok && [result.value.valid, result.value.reason]).toEqual([
      false,
      "the number has the wrong length for its country",
    ]);
  });

  it.each([
    ["56789045", undefined, "invalid_phone", "no country code"],
    ["+999123456", undefined, "invalid_phone", "country calling code after + is not in use"],
    ["hello", "EE", "invalid_phone", "does not look like a phone number"],
    ["", "EE", "invalid_params", "number is missing"],
    [["1", "2"], "EE", "invalid_params", "number is missing"],
    ["5".repeat(65), "EE", "invalid_params", "longer than 64"],
    ["56789045", "XX", "invalid_params", "ISO 3166-1"],
  ])("when given %j with country %j, it is %s", (number, country, status, reason) => {
    const result = formatPhone(number, country);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.status).toBe(status);
      expect(result.error.message).toContain(reason);
    }
  });
});
