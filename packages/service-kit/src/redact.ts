/**
 * Credentials never reach a log line, whatever object a handler logs and however deep the
 * credential sits in it (pino's own `redact` paths match fixed depths only: a token three
 * levels down, a webhook secret under another name or a cookie header slipped through).
 * Keys are compared without case, `-` or `_`.
 */
const SENSITIVE = new Set([
  "token",
  "accesstoken",
  "refreshtoken",
  "apikey",
  "password",
  "passwd",
  "secret",
  "clientsecret",
  "webhooksecret",
  "webhooksecrets",
  "tokensha256",
  // API keys (api-key.ts): the digest, and the record's list of them.
  "secretsha256",
  "apikeys",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "credentials",
  "creds",
  // NATS: the connection options' `pass` and `authenticator`, the kit's settings (ADR 0015).
  "pass",
  "authenticator",
  "natspassword",
]);

export const REDACTED = "[redacted]";
/** Deeper than this is cut, not walked: a log line is not the place for a deep structure. */
const MAX_DEPTH = 8;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE.has(key.toLowerCase().replace(/[-_]/g, ""));
}

/** A copy of `value` with every sensitive key's value replaced; the original is untouched. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Error || value instanceof Date || ArrayBuffer.isView(value)) return value;
  if (depth >= MAX_DEPTH) return "[too deep]";
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = isSensitiveKey(key) ? REDACTED : redactDeep(inner, depth + 1);
  }
  return copy;
}
