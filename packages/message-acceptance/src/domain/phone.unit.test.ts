import { describe, expect, it } from "vitest";
import { checkPhone } from "./phone.ts";

describe("checkPhone", () => {
  it.each([
    ["+37256789045", "+37256789045", "EE"],
    ["+12015550123", "+12015550123", "US"],
    ["+4915123456789", "+4915123456789", "DE"],
    [" +37256789045 ", "+37256789045", "EE"],
  ])("when it is %s, it is valid E.164 %s in %s", (raw, e164, country) => {
    expect(checkPhone(raw)).toEqual({ ok: true, value: { e164, country } });
  });

  it("when the number is non-geographic, the country is null", () => {
    expect(checkPhone("+80012345678")).toEqual({
      ok: true,
      value: { e164: "+80012345678", country: null },
    });
  });

  it.each([
    ["37256789045", "starting with +"],
    [" 37256789045", "%2B"],
    ["+372 5678 9045", "digits only"],
    ["+372-5678-9045", "digits only"],
    ["+37256789045abc", "digits only"],
    ["+37256789045;ext=1", "digits only"],
    ["+0123456789", "digits only"],
    ["+1234567890123456", "digits only"],
    ["+3725678904", "not a valid phone number"],
    ["+447700900123", "not a valid phone number"],
    ["+", "digits only"],
  ])("when it is %j, it is invalid_phone (%s)", (raw, reason) => {
    const result = checkPhone(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.status).toBe("invalid_phone");
      expect(result.error.message).toContain(reason);
    }
  });
});
