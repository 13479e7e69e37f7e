/** How long a session lasts: `idleMs` after its last use, never past `maxMs` after log-in. */
export interface SessionLimits {
  idleMs: number;
  maxMs: number;
}

/** Milliseconds from log-in until the first expiry (and the cookie's max age). */
export function firstExpiryMs(limits: SessionLimits): number {
  return Math.min(limits.idleMs, limits.maxMs);
}
