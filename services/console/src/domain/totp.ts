import { Secret, TOTP } from "otpauth";

/**
 * Two-factor codes (RFC 6238 TOTP: SHA-1, 6 digits, 30 s, what every authenticator app
 * reads), through the `otpauth` library. Pure apart from the random secret: the time comes
 * in as an argument.
 */
const PERIOD = 30;
const ISSUER = "smsgw console";

/** A new secret (20 random bytes, RFC 4226's recommended length), as base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(secret: string, email: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label: email,
    secret: Secret.fromBase32(secret),
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD,
  });
}

/** The `otpauth://` URI an authenticator app takes (typed or pasted: no QR code here). */
export function totpUri(secret: string, email: string): string {
  return totpOf(secret, email).toString();
}

/** The code of `at` (tests, and the browser test's "authenticator app"). */
export function totpCode(secret: string, at: number): string {
  return totpOf(secret, "").generate({ timestamp: at });
}

export type TotpCheck = { ok: true; step: number } | { ok: false };

/**
 * A code typed in: right for the current step or one either side (clock drift), and only
 * once: a step at or before `lastStep` (the last code accepted) is refused, so a code seen
 * over a shoulder or replayed from a log cannot be used again.
 */
export function checkTotp(
  secret: string,
  code: string,
  at: number,
  lastStep: number | null,
): TotpCheck {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return { ok: false };
  const delta = totpOf(secret, "").validate({ token, timestamp: at, window: 1 });
  if (delta === null) return { ok: false };
  const step = Math.floor(at / 1000 / PERIOD) + delta;
  if (lastStep !== null && step <= lastStep) return { ok: false };
  return { ok: true, step };
}
