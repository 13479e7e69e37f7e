import { randomBytes, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { User, UserStore } from "../db/users.ts";
import { parseCookies, setCookie } from "../domain/cookies.ts";
import type { PageContext } from "../domain/pages/layout.ts";

export const SESSION_COOKIE = "console_sid";
export const CSRF_COOKIE = "console_csrf";

/** What each request carries through the handlers (res.locals). */
export interface Locals {
  csrf: string;
  user?: User;
  sessionCookie?: string;
}

export function locals(res: Response): Locals {
  return res.locals as Locals;
}

export function pageContext(res: Response): PageContext {
  const { csrf, user } = locals(res);
  return user ? { csrf, email: user.email } : { csrf };
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

export interface SessionOptions {
  users: UserStore;
  idleMs: number;
  secure: boolean;
}

/**
 * Gives every visitor a CSRF token (double-submit: an HttpOnly SameSite=Strict cookie that
 * each form repeats in `_csrf`) and loads the session's user, if any.
 */
export function sessions(options: SessionOptions) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const cookies = parseCookies(req.headers.cookie);
    let csrf = cookies.get(CSRF_COOKIE);
    if (!csrf) csrf = issueCsrf(res, options.secure);
    const state: Locals = { csrf };
    const sid = cookies.get(SESSION_COOKIE);
    if (sid) {
      const user = await options.users.sessionUser(sid, options.idleMs);
      if (user) {
        state.user = user;
        state.sessionCookie = sid;
      }
    }
    Object.assign(res.locals, state);
    next();
  };
}

export function issueCsrf(res: Response, secure: boolean): string {
  const csrf = randomBytes(24).toString("base64url");
  res.append("set-cookie", setCookie(CSRF_COOKIE, csrf, { sameSite: "Strict", secure }));
  locals(res).csrf = csrf;
  return csrf;
}

/**
 * Every state-changing request must repeat the CSRF cookie in its `_csrf` field, and come
 * from our own origin when the browser says where it comes from.
 */
export function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  const sent = typeof req.body?._csrf === "string" ? req.body._csrf : "";
  const cookie = parseCookies(req.headers.cookie).get(CSRF_COOKIE) ?? "";
  const origin = req.headers.origin;
  const sameOrigin = origin === undefined || origin === `${req.protocol}://${req.headers.host}`;
  const ok =
    sameOrigin &&
    sent.length > 0 &&
    sent.length === cookie.length &&
    timingSafeEqual(Buffer.from(sent), Buffer.from(cookie));
  if (ok) {
    next();
    return;
  }
  res
    .status(403)
    .type("text/plain")
    .send("This form has expired or did not come from this site: reload the page and try again.");
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
    setCookie(SESSION_COOKIE, cookie, {
      sameSite: "Lax",
      secure: options.secure,
      maxAgeSeconds: Math.floor(options.idleMs / 1000),
    }),
  );
  // A fresh CSRF token with the new session: a token planted before log-in is worthless.
  issueCsrf(res, options.secure);
}

export function endSession(res: Response, secure: boolean): void {
  res.append(
    "set-cookie",
    setCookie(SESSION_COOKIE, "", { sameSite: "Lax", secure, maxAgeSeconds: 0 }),
  );
  issueCsrf(res, secure);
}
