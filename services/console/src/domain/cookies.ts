/** Reads a Cookie header into name -> value (first wins, as browsers send the most specific first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at < 1) continue;
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (!cookies.has(name) && /^[A-Za-z0-9_-]{1,200}$/.test(value)) cookies.set(name, value);
  }
  return cookies;
}

/**
 * The name a cookie goes by. Over HTTPS it carries the `__Host-` prefix: browsers then
 * accept it only Secure, for Path=/ and without a Domain, so a sibling subdomain or a
 * plain-HTTP page cannot plant one. Plain HTTP (the local stack) cannot have the prefix.
 */
export function cookieName(name: string, secure: boolean): string {
  return secure ? `__Host-${name}` : name;
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  sameSite: "Strict" | "Lax";
  secure: boolean;
}

/**
 * A Set-Cookie value: always HttpOnly and Path=/, never a Domain; a max age of 0 deletes
 * it. Secure when asked, and always for a `__Host-` name (browsers drop it otherwise).
 */
export function setCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly", `SameSite=${options.sameSite}`];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  if (options.secure || name.startsWith("__Host-")) parts.push("Secure");
  return parts.join("; ");
}
