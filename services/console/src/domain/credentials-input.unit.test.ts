import { describe, expect, it } from "vitest";
import { checkCallbackUrl, checkNewPassword, normalizeEmail } from "./credentials-input.ts";

describe("sign-up input", () => {
  it("when an email has spaces or capitals, it is trimmed and lower-cased; a malformed one is refused", () => {
    expect(normalizeEmail("  Ann@Example.COM ")).toEqual({ ok: true, value: "ann@example.com" });
    expect(normalizeEmail("ann@example").ok).toBe(false);
    expect(normalizeEmail(undefined).ok).toBe(false);
  });

  it("when a password is short or equals the email, it is refused", () => {
    expect(checkNewPassword("short", "a@b.cc").ok).toBe(false);
    expect(checkNewPassword("a@b.cc-long", "a@b.cc-long").ok).toBe(false);
    expect(checkNewPassword("correct horse battery", "a@b.cc").ok).toBe(true);
  });

  it("when a callback URL is empty it clears it; other schemes are refused", () => {
    expect(checkCallbackUrl("")).toEqual({ ok: true, value: null });
    expect(checkCallbackUrl("ftp://x.example").ok).toBe(false);
    expect(checkCallbackUrl("https://x.example/dlr")).toEqual({
      ok: true,
      value: "https://x.example/dlr",
    });
  });
});
