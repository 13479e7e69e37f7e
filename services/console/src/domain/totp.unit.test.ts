import { describe, expect, it } from "vitest";
import { checkTotp, newTotpSecret, totpCode, totpUri } from "./totp.ts";

const AT = Date.parse("2026-12-06T08:00:10Z");
const STEP = Math.floor(AT / 30_000);

describe("TOTP codes", () => {
  it("when the app's code of now is typed, it is right and names its time step", () => {
    const secret = newTotpSecret();
    expect(checkTotp(secret, totpCode(secret, AT), AT, null)).toEqual({ ok: true, step: STEP });
  });

  it("when the code is one step old or early (clock drift), it is still right; two is not", () => {
    const secret = newTotpSecret();
    expect(checkTotp(secret, totpCode(secret, AT - 30_000), AT, null)).toEqual({
      ok: true,
      step: STEP - 1,
    });
    expect(checkTotp(secret, totpCode(secret, AT + 30_000), AT, null).ok).toBe(true);
    expect(checkTotp(secret, totpCode(secret, AT - 90_000), AT, null).ok).toBe(false);
  });

  it("when a code was accepted once, it (and any older one) is refused after", () => {
    const secret = newTotpSecret();
    const code = totpCode(secret, AT);
    expect(checkTotp(secret, code, AT, STEP)).toEqual({ ok: false });
    expect(checkTotp(secret, totpCode(secret, AT - 30_000), AT, STEP)).toEqual({ ok: false });
    expect(checkTotp(secret, totpCode(secret, AT + 30_000), AT + 30_000, STEP).ok).toBe(true);
  });

  it("when the code is another secret's, not six digits, or empty, it is wrong", () => {
    const secret = newTotpSecret();
    expect(checkTotp(secret, totpCode(newTotpSecret(), AT), AT, null).ok).toBe(false);
    expect(checkTotp(secret, "12345", AT, null).ok).toBe(false);
    expect(checkTotp(secret, "", AT, null).ok).toBe(false);
    expect(checkTotp(secret, "12345a", AT, null).ok).toBe(false);
  });

  it("when the URI is made, an app can read the secret and the label from it", () => {
    const secret = newTotpSecret();
    const uri = totpUri(secret, "dev@example.com");
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(uri).toContain(`secret=${secret}`);
    expect(uri).toContain("dev%40example.com");
  });
});
