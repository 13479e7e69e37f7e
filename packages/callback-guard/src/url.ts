/**
 * Callback URLs: which ones are acceptable at all (parseCallbackUrl), and whether a URL
 * whose host is a literal address may be called (literalAddressVerdict). Hosts that are
 * names are judged later, at dispatch time, after resolution.
 */
import { classifyAddress, stripBrackets } from "./address.ts";

/** Longest callback URL accepted, in characters (what browsers and proxies handle safely). */
export const MAX_CALLBACK_URL_LENGTH = 2048;

export type ParsedCallbackUrl = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Parses a callback URL: absolute, http or https, a host, no user info, at most
 * MAX_CALLBACK_URL_LENGTH characters. User info is refused rather than sent as Basic
 * authorization: `https://bank.example@evil.example/` reads like one host and is
 * another, and credentials in URLs end up in logs and message records. Receivers
 * authenticate us by the signature (or a token in the query string).
 */
export function parseCallbackUrl(text: string): ParsedCallbackUrl {
  if (typeof text !== "string" || text.length === 0) {
    return { ok: false, reason: "the callback URL is empty" };
  }
  if (text.length > MAX_CALLBACK_URL_LENGTH) {
    return {
      ok: false,
      reason: `the callback URL is longer than ${MAX_CALLBACK_URL_LENGTH} characters`,
    };
  }
  if (hasWhitespaceOrControl(text)) {
    return { ok: false, reason: "the callback URL contains whitespace or control characters" };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "the callback URL is not a valid absolute URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return {
      ok: false,
      reason: `scheme ${url.protocol.slice(0, -1)} is not allowed (http or https only)`,
    };
  }
  if (url.hostname === "") return { ok: false, reason: "the callback URL has no host" };
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "the callback URL must not contain user info (user:password@)" };
  }
  if (!isAllowedPort(url)) {
    return {
      ok: false,
      reason: `port ${url.port} is not allowed (80, 443 or 1024-65535)`,
    };
  }
  return { ok: true, url };
}

/**
 * The ports a callback may use: the scheme's own (80, 443; `url.port` is empty then), the
 * other of the two, or an unprivileged port (1024-65535), where web receivers listen. Ports
 * below 1024 are the well-known services (SMTP 25, SSH 22, DNS 53, LDAP 389, SMB 445, …): a
 * callback aimed there is an attempt to talk to one of them through us, whatever the host.
 */
export function isAllowedPort(url: URL): boolean {
  if (url.port === "") return true;
  const port = Number(url.port);
  return port === 80 || port === 443 || port >= 1024;
}

/** The host to resolve or classify: brackets of an IPv6 literal and a trailing root dot removed, lower case. */
export function hostOf(url: URL): string {
  const host = stripBrackets(url.hostname).toLowerCase();
  return host.endsWith(".") ? host.slice(0, -1) : host;
}

/** Scheme, host and path only: query strings may carry the receiver's tokens, so logs and events keep this. */
export function endpointOf(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Where reports to this URL are isolated from others: scheme, host and port. */
export function originOf(url: URL): string {
  return url.origin;
}

export type LiteralVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * Whether a URL may be called as far as can be told without DNS: a literal IP host must
 * be public (unless allowPrivate), and `localhost` names (RFC 6761: always loopback) are
 * refused. Any other name is allowed here and judged after resolution at dispatch time.
 */
export function literalAddressVerdict(
  url: URL,
  options: { allowPrivate: boolean },
): LiteralVerdict {
  if (options.allowPrivate) return { allowed: true };
  const host = hostOf(url);
  if (host === "localhost" || host.endsWith(".localhost")) {
    return { allowed: false, reason: `${host} is a loopback address` };
  }
  const kind = classifyAddress(host);
  if (kind === null || kind === "public") return { allowed: true };
  return { allowed: false, reason: `${host} is a ${kind} address` };
}

function hasWhitespaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || /\s/.test(text.charAt(i))) return true;
  }
  return false;
}
