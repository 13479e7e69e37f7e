import { describe, expect, it } from "vitest";
import { e164OfInternationalDigits } from "./international.ts";

describe("digits read as an international number", () => {
  it("when they are a valid number with its country code first, they are its E.164", () => {
    expect(e164OfInternationalDigits("37256789045")).toBe("+37256789045");
    expect(e164OfInternationalDigits("447700900123")).toBeUndefined(); // a reserved UK range
  });

  it("when they are a national number, a short code or not digits at all, there is none", () => {
    for (const input of ["56789045", "1234", "+37256789045", "MyShop", ""]) {
      expect(e164OfInternationalDigits(input)).toBeUndefined();
    }
  });
});
