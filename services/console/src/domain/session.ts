/** How long a session lasts: `idleMs` after its last use, never past `maxMs` after log-in. */
export interface SessionLimits {
  idleMs: number;
  maxMs: number;
}

/** Milliseconds from log-in until the first expiry (and the cookie's max age). */
export function firstExpiryMs(limits: SessionLimits): number {
  return Math.min(limits.idleMs, limits.maxMs);
}

/**
 * The session cookie's max age: the session's absolute end (`maxMs` after log-in). The cookie
 * is set once, at log-in, and never sent again, so a max age of the idle limit would end an
 * active user's session in the browser while the server still slides it; the server ends an
 * idle session itself (its row's expiry), and the cookie is then worth nothing.
 */
export function cookieMaxAgeMs(limits: SessionLimits): number {
  return limits.maxMs;
}
