import { parseDecimal } from "@smsgw/contracts";
import type { Logger } from "@smsgw/service-kit";
import type { Request, Router } from "express";
import { newUserId, type UserStore } from "../db/users.ts";
import { clientKey } from "../domain/attempt-keys.ts";
import { checkNewPassword, normalizeEmail } from "../domain/credentials-input.ts";
import { loginPage, signupPage, tooManyAttempts } from "../domain/pages/auth.ts";
import { credentialsPage } from "../domain/pages/credentials.ts";
import { type Attempts, checkSecret } from "./attempts.ts";
import { CODE_WAIT_MS, mountLoginCode, sessionMeta } from "./login-code.ts";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./password.ts";
import type { PricingClient } from "./pricing-client.ts";
import type { ReauthDeps } from "./reauth.ts";
import {
  endSession,
  locals,
  pageContext,
  requireCsrf,
  type SessionOptions,
  startSession,
} from "./security.ts";

export interface AuthOptions {
  users: UserStore;
  /** Two-factor's second step (the code of a log-in waiting for it). */
  security: ReauthDeps["security"];
  box: ReauthDeps["box"];
  pricing: PricingClient;
  session: SessionOptions;
  apiUrl: string;
  /** Free test credits of a new account, a decimal of the currency ("1"). */
  testCredits: string;
  /** Log-in attempts per email and per client IP (shared with re-authentication). */
  loginAttempts: Attempts;
  /** Sign-ups per client IP. */
  signups: Attempts;
  log: Logger;
}

const field = (req: Request, name: string) =>
  typeof req.body?.[name] === "string" ? (req.body[name] as string) : "";

export function mountAuth(router: Router, options: AuthOptions): void {
  const { users, pricing, session, loginAttempts, signups } = options;
  const credits = parseDecimal(options.testCredits) ?? 0;

  router.get("/signup", (_req, res) => {
    if (locals(res).user) return void res.redirect(303, "/dashboard");
    res.send(signupPage(pageContext(res), "", []).value);
  });

  router.post("/signup", requireCsrf, async (req, res) => {
    const ctx = pageContext(res);
    const email = normalizeEmail(req.body?.email);
    const shownEmail = field(req, "email").slice(0, 254);
    if (!email.ok)
      return void res.status(422).send(signupPage(ctx, shownEmail, [email.problem]).value);
    const password = checkNewPassword(req.body?.password, email.value);
    if (!password.ok) {
      return void res.status(422).send(signupPage(ctx, shownEmail, [password.problem]).value);
    }
    const now = Date.now();
    const ip = [clientKey(req.ip ?? "unknown")];
    // Counted before the first await; given back only if pricing could not create it.
    const wait = signups.take(ip, now);
    if (wait > 0) {
      res.set("retry-after", String(Math.ceil(wait / 1000)));
      return void res
        .status(429)
        .send(
          signupPage(ctx, shownEmail, ["Too many sign-ups from your network; try again later."])
            .value,
        );
    }
    // Without a mail step, sign-up cannot hide that an address is taken; it says no more
    // than that, and sign-ups are throttled per client so addresses cannot be harvested.
    const taken = ["We could not create an account with this email. If it is yours, log in."];
    if (await users.findByEmail(email.value)) {
      return void res.status(422).send(signupPage(ctx, shownEmail, taken).value);
    }
    const passwordHash = await hashPassword(password.value);
    const userId = newUserId();
    const created = await pricing.createAccount(credits, `console:${userId}`);
    if (created.outcome !== "created") {
      signups.giveBack(ip, now);
      options.log.error({ reason: created.reason }, "pricing refused to create an account");
      return void res
        .status(503)
        .send(
          signupPage(ctx, shownEmail, ["Sign-up is unavailable right now; try again in a minute."])
            .value,
        );
    }
    const { accountId, hash, token, webhookSecret } = created.credentials;
    if (
      !(await users.create({
        userId,
        email: email.value,
        passwordHash,
        accountId,
      }))
    ) {
      // Taken between our look and our insert: the fresh test account stays unused.
      options.log.warn({ accountId }, "sign-up raced on an email; account left unused");
      return void res.status(422).send(signupPage(ctx, shownEmail, taken).value);
    }
    startSession(res, await users.openSession(userId, session, sessionMeta(req)), session);
    options.log.info({ userId, accountId }, "signed up");
    // The token is in this answer only: it is not stored, and no redirect carries it.
    res.status(201).send(
      credentialsPage(
        { email: email.value, csrf: locals(res).csrf, role: "owner" },
        {
          hash,
          token,
          webhookSecret,
          apiUrl: options.apiUrl,
          callbackUrl: null,
          notice: `Welcome! Your test account has ${options.testCredits} of free credits.`,
        },
      ).value,
    );
  });

  router.get("/login", (_req, res) => {
    if (locals(res).user) return void res.redirect(303, "/dashboard");
    res.send(loginPage(pageContext(res), "", []).value);
  });

  router.post("/login", requireCsrf, async (req, res) => {
    const ctx = pageContext(res);
    const shownEmail = field(req, "email").slice(0, 254);
    const email = normalizeEmail(req.body?.email);
    const password = field(req, "password").slice(0, 1_000);
    const who = {
      kind: "password" as const,
      email: email.ok ? email.value : shownEmail,
      ip: req.ip ?? "unknown",
    };
    let user: Awaited<ReturnType<UserStore["findByEmail"]>>;
    const checked = await checkSecret(loginAttempts, who, Date.now(), async () => {
      user = email.ok ? await users.findByEmail(email.value) : undefined;
      // The same work and the same words whether or not the email is known.
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      return user !== undefined && ok;
    });
    if (checked.outcome === "locked") {
      res.set("retry-after", String(Math.ceil(checked.waitMs / 1000)));
      return void res
        .status(429)
        .send(loginPage(ctx, shownEmail, [tooManyAttempts(checked.waitMs)]).value);
    }
    if (checked.outcome === "wrong" || !user) {
      return void res
        .status(401)
        .send(loginPage(ctx, shownEmail, ["Email or password is wrong."]).value);
    }
    // A session this browser had before (another user's, or a stale one) ends here.
    const previous = locals(res).sessionCookie;
    if (previous) await users.closeSession(previous);
    if (user.totpEnabled) {
      // The password was right; the code is still to come. This cookie opens no page.
      const waiting = { idleMs: CODE_WAIT_MS, maxMs: CODE_WAIT_MS };
      const cookie = await users.openSession(user.userId, waiting, {
        ...sessionMeta(req),
        stage: "totp",
      });
      startSession(res, cookie, { ...session, ...waiting });
      return void res.redirect(303, "/login/totp");
    }
    startSession(res, await users.openSession(user.userId, session, sessionMeta(req)), session);
    res.redirect(303, "/dashboard");
  });

  router.post("/logout", requireCsrf, async (_req, res) => {
    const { sessionCookie } = locals(res);
    if (sessionCookie) await users.closeSession(sessionCookie);
    endSession(res, session.secure);
    res.redirect(303, "/login");
  });

  mountLoginCode(router, options);
}
