/** What sign-up and log-in accept. Pure: the handlers pass the form's fields in. */

export const MIN_PASSWORD = 10;
export const MAX_PASSWORD = 200;

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Lower-cased and trimmed; one @, a dot in the domain, no spaces, at most 254 characters. */
export function normalizeEmail(input: unknown): Checked<string> {
  const email = typeof input === "string" ? input.trim().toLowerCase() : "";
  if (email.length === 0) return { ok: false, problem: "Enter your email address." };
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    return { ok: false, problem: "Enter an email address such as name@example.com." };
  }
  return { ok: true, value: email };
}

export function checkNewPassword(input: unknown, email: string): Checked<string> {
  const password = typeof input === "string" ? input : "";
  if (password.length < MIN_PASSWORD) {
    return { ok: false, problem: `Use a password of at least ${MIN_PASSWORD} characters.` };
  }
  if (password.length > MAX_PASSWORD) {
    return { ok: false, problem: `Use a password of at most ${MAX_PASSWORD} characters.` };
  }
  if (password.toLowerCase() === email) {
    return { ok: false, problem: "Use a password that is not your email address." };
  }
  return { ok: true, value: password };
}

/** A callback URL the console stores: http(s), at most 2,000 characters; empty clears it. */
export function checkCallbackUrl(input: unknown): Checked<string | null> {
  const text = typeof input === "string" ? input.trim() : "";
  if (text === "") return { ok: true, value: null };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: "Enter a full URL such as https://example.com/sms/reports." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, problem: "The callback URL must start with https:// or http://." };
  }
  if (text.length > 2_000) return { ok: false, problem: "The callback URL is too long." };
  return { ok: true, value: url.toString() };
}
