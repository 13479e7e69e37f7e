import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { SessionUser, UserStore } from "../db/users.ts";
import { cookieName, parseCookies, setCookie } from "../domain/cookies.ts";
import type { PageContext } from "../domain/pages/layout.ts";
import { cookieMaxAgeMs, type SessionLimits } from "../domain/session.ts";
import { recentlyConfirmed } from "../domain/team.ts";

export const SESSION_COOKIE = "console_sid";
export const CSRF_COOKIE = "console_csrf";

/** What each request carries through the handlers (res.locals). */
export interface Locals {
  /** The token this request's forms carry, and the one a form it posts must carry. */
  csrf: string;
  user?: SessionUser;
  sessionCookie?: string;
  /** REAUTH_MINUTES, for the forms of sensitive actions. */
  reauthWindowMs?: number;
}

export function locals(res: Response): Locals {
  return res.locals as Locals;
}

export function pageContext(res: Response): PageContext {
  const { csrf, user, reauthWindowMs } = locals(res);
  if (!user) return { csrf };
  return {
    csrf,
    email: user.email,
    role: user.role,
    totp: user.totpEnabled,
    // The forms of sensitive actions ask for nothing while a confirmation is recent.
    confirmed: recentlyConfirmed(user.reauthAt, new Date(), reauthWindowMs ?? 0),
  };
}

/**
 * Strict CSP (scripts and styles only from our own /static, nothing inline, no framing, forms
 * post only to us), no caching of pages (they carry balances and, once, a token), no sniffing.
 */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    "content-security-policy":
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",
  });
  next();
}

export interface SessionOptions extends SessionLimits {
  users: UserStore;
  /** Over HTTPS: Secure cookies with the `__Host-` prefix. */
  secure: boolean;
  reauthWindowMs: number;
}

/**
 * A session's CSRF token: derived from its cookie, so it is worth nothing with any other
 * session, and a token planted in a browser (a cookie set by a sibling subdomain or a
 * plain-HTTP page) cannot be paired with the victim's session. One-way: the page that shows
 * it does not give the session away.
 */
export function sessionCsrf(sessionCookie: string): string {
  return createHmac("sha256", sessionCookie).update("console csrf").digest("base64url");
}

/**
 * Loads the session's user, if any, and the CSRF token of the request: the session's own
 * when there is one, else a random one in a cookie for the forms of a visitor who is not
 * logged in (log-in, sign-up), repeated in each form's `_csrf` (double submit).
 */
export function sessions(options: SessionOptions) {
  const names = cookieNames(options.secure);
  return async (req: Request, res: Response, next: NextFunction) => {
    const cookies = parseCookies(req.headers.cookie);
    const sid = cookies.get(names.session);
    const user = sid ? await options.users.sessionUser(sid, options) : undefined;
    const state: Locals =
      sid && user
        ? { csrf: sessionCsrf(sid), user, sessionCookie: sid }
        : { csrf: cookies.get(names.csrf) ?? issueCsrf(res, options.secure) };
    state.reauthWindowMs = options.reauthWindowMs;
    Object.assign(res.locals, state);
    next();
  };
}

export function cookieNames(secure: boolean) {
  return { session: cookieName(SESSION_COOKIE, secure), csrf: cookieName(CSRF_COOKIE, secure) };
}

function issueCsrf(res: Response, secure: boolean): string {
  const csrf = randomBytes(24).toString("base64url");
  res.append(
    "set-cookie",
    setCookie(cookieNames(secure).csrf, csrf, { sameSite: "Strict", secure }),
  );
  locals(res).csrf = csrf;
  return csrf;
}

/**
 * Every state-changing request must repeat its CSRF token (see `sessions`) in its `_csrf`
 * field, and come from our own origin when the browser says where it comes from.
 */
export function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  const sent = Buffer.from(typeof req.body?._csrf === "string" ? req.body._csrf : "");
  const expected = Buffer.from(locals(res).csrf);
  const origin = req.headers.origin;
  const sameOrigin = origin === undefined || origin === `${req.protocol}://${req.headers.host}`;
  // Byte lengths: timingSafeEqual throws on unequal buffers (multi-byte input was a 503).
  const ok =
    sameOrigin &&
    sent.length > 0 &&
    sent.length === expected.length &&
    timingSafeEqual(sent, expected);
  if (ok) {
    next();
    return;
  }
  res
    .status(403)
    .type("text/plain")
    .send("This form has expired or did not come from this site: reload the page and try again.");
}

/** The signed-in user of a request that passed `requireUser` (a bug otherwise). */
export function signedIn(res: Response): SessionUser {
  const user = locals(res).user;
  if (!user) throw new Error("requireUser did not run");
  return user;
}

/** Pages behind log-in: a visitor without a session goes to /login (forms get 403). */
export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (locals(res).user) {
    next();
    return;
  }
  if (req.method === "GET") res.redirect(303, "/login");
  else res.status(403).type("text/plain").send("Log in first.");
}

export function startSession(res: Response, cookie: string, options: SessionOptions): void {
  res.append(
    "set-cookie",
    setCookie(cookieNames(options.secure).session, cookie, {
      sameSite: "Lax",
      secure: options.secure,
      maxAgeSeconds: Math.floor(cookieMaxAgeMs(options) / 1000),
    }),
  );
  // The forms of this answer belong to the new session: a token from before is worthless.
  locals(res).csrf = sessionCsrf(cookie);
}

export function endSession(res: Response, secure: boolean): void {
  res.append(
    "set-cookie",
    setCookie(cookieNames(secure).session, "", { sameSite: "Lax", secure, maxAgeSeconds: 0 }),
  );
  issueCsrf(res, secure);
}
