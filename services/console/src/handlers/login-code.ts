import type { Request, Router } from "express";
import type { UserStore } from "../db/users.ts";
import { parseCookies } from "../domain/cookies.ts";
import { tooManyAttempts } from "../domain/pages/auth.ts";
import { totpLoginPage } from "../domain/pages/invite.ts";
import type { Attempts } from "./attempts.ts";
import { checkSecret } from "./attempts.ts";
import { codeIsRight, type ReauthDeps } from "./reauth.ts";
import {
  cookieNames,
  pageContext,
  requireCsrf,
  type SessionOptions,
  startSession,
} from "./security.ts";

export interface LoginCodeOptions extends Pick<ReauthDeps, "security" | "box"> {
  users: UserStore;
  session: SessionOptions;
  /** Log-in attempts: a wrong code counts as a wrong password does. */
  loginAttempts: Attempts;
}

/** How long a log-in waits for its two-factor code after the password was right. */
export const CODE_WAIT_MS = 5 * 60_000;

/** Where a session was opened from, for the user's list of sessions. */
export const sessionMeta = (req: Request) => ({
  ip: req.ip ?? null,
  userAgent: req.get("user-agent") ?? null,
});

const field = (req: Request, name: string) =>
  typeof req.body?.[name] === "string" ? (req.body[name] as string) : "";

/**
 * The second step of a log-in with two-factor on (`/login/totp`): the password opened a
 * session of stage `totp` that opens no page; a right code (counted as a log-in attempt,
 * good once) replaces it with a new session cookie.
 */
export function mountLoginCode(router: Router, options: LoginCodeOptions): void {
  const { users, session, loginAttempts } = options;
  /** The cookie of a log-in waiting for its code (the user's session cookie slot). */
  const waitingCookie = (req: Request) =>
    parseCookies(req.headers.cookie).get(cookieNames(session.secure).session);

  router.get("/login/totp", async (req, res) => {
    const cookie = waitingCookie(req);
    const pending = cookie ? await options.security.pendingLogin(cookie) : undefined;
    if (!pending) return void res.redirect(303, "/login");
    res.send(totpLoginPage(pageContext(res), []).value);
  });

  router.post("/login/totp", requireCsrf, async (req, res) => {
    const cookie = waitingCookie(req);
    const pending = cookie ? await options.security.pendingLogin(cookie) : undefined;
    if (!cookie || !pending) return void res.redirect(303, "/login");
    const code = field(req, "code").slice(0, 20);
    // Counted per user and per client; only a right code clears the user's count (a right
    // password does not), so codes are not guessed faster by logging in again in between.
    const checked = await checkSecret(
      loginAttempts,
      { kind: "code", userId: pending.userId, ip: req.ip ?? "unknown" },
      Date.now(),
      () => codeIsRight(options, pending.userId, code),
    );
    if (checked.outcome === "locked") {
      res.set("retry-after", String(Math.ceil(checked.waitMs / 1000)));
      return void res
        .status(429)
        .send(totpLoginPage(pageContext(res), [tooManyAttempts(checked.waitMs)]).value);
    }
    if (checked.outcome === "wrong") {
      return void res
        .status(401)
        .send(totpLoginPage(pageContext(res), ["That code is not right."]).value);
    }
    // A new cookie for the full session: the waiting one never opens a page.
    await users.closeSession(cookie);
    startSession(res, await users.openSession(pending.userId, session, sessionMeta(req)), session);
    res.redirect(303, "/dashboard");
  });
}
