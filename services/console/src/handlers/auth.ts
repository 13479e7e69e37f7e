import { parseDecimal } from "@smsgw/contracts";
import type { Logger } from "@smsgw/service-kit";
import type { Request, Router } from "express";
import { newUserId, type UserStore } from "../db/users.ts";
import { checkNewPassword, normalizeEmail } from "../domain/credentials-input.ts";
import { loginPage, signupPage } from "../domain/pages/auth.ts";
import { credentialsPage } from "../domain/pages/credentials.ts";
import { lockedFor, type ThrottleRule, withFailure } from "../domain/throttle.ts";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./password.ts";
import type { PricingClient } from "./pricing-client.ts";
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
  pricing: PricingClient;
  session: SessionOptions;
  apiUrl: string;
  /** Free test credits of a new account, a decimal of the currency ("1"). */
  testCredits: string;
  login: ThrottleRule;
  signup: ThrottleRule;
  log: Logger;
}

/** Failure times per key (an email or a client IP), in this replica's memory. */
class Failures {
  private readonly times = new Map<string, number[]>();
  private readonly rule: ThrottleRule;
  constructor(rule: ThrottleRule) {
    this.rule = rule;
  }
  lockedFor(key: string, now: number): number {
    return lockedFor(this.times.get(key) ?? [], now, this.rule);
  }
  add(key: string, now: number): void {
    this.times.set(key, withFailure(this.times.get(key) ?? [], now, this.rule));
    // Bounded: forget keys whose failures all left the window.
    if (this.times.size > 10_000) {
      for (const [k, t] of this.times) if (lockedFor(t, now, this.rule) === 0) this.times.delete(k);
    }
  }
  clear(key: string): void {
    this.times.delete(key);
  }
}

const field = (req: Request, name: string) =>
  typeof req.body?.[name] === "string" ? (req.body[name] as string) : "";

export function mountAuth(router: Router, options: AuthOptions): void {
  const { users, pricing, session } = options;
  const loginFailures = new Failures(options.login);
  const signups = new Failures(options.signup);
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
    const ip = req.ip ?? "unknown";
    if (signups.lockedFor(ip, now) > 0) {
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
      signups.add(ip, now);
      return void res.status(422).send(signupPage(ctx, shownEmail, taken).value);
    }
    const passwordHash = await hashPassword(password.value);
    const userId = newUserId();
    const created = await pricing.createAccount(credits, `console:${userId}`);
    if (created.outcome !== "created") {
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
    signups.add(ip, now);
    startSession(res, await users.openSession(userId, session.idleMs), session);
    options.log.info({ userId, accountId }, "signed up");
    // The token is in this answer only: it is not stored, and no redirect carries it.
    res.status(201).send(
      credentialsPage(
        { email: email.value, csrf: locals(res).csrf },
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
    const now = Date.now();
    const ip = `ip:${req.ip ?? "unknown"}`;
    const emailKey = `email:${email.ok ? email.value : shownEmail}`;
    const wait = Math.max(loginFailures.lockedFor(emailKey, now), loginFailures.lockedFor(ip, now));
    if (wait > 0) {
      res.set("retry-after", String(Math.ceil(wait / 1000)));
      return void res
        .status(429)
        .send(
          loginPage(ctx, shownEmail, [
            `Too many attempts. Try again in ${Math.ceil(wait / 60_000)} minute(s).`,
          ]).value,
        );
    }
    const user = email.ok ? await users.findByEmail(email.value) : undefined;
    // The same work and the same words whether or not the email is known.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      loginFailures.add(emailKey, now);
      loginFailures.add(ip, now);
      return void res
        .status(401)
        .send(loginPage(ctx, shownEmail, ["Email or password is wrong."]).value);
    }
    loginFailures.clear(emailKey);
    // A session this browser had before (another user's, or a stale one) ends here.
    const previous = locals(res).sessionCookie;
    if (previous) await users.closeSession(previous);
    startSession(res, await users.openSession(user.userId, session.idleMs), session);
    res.redirect(303, "/dashboard");
  });

  router.post("/logout", requireCsrf, async (_req, res) => {
    const { sessionCookie } = locals(res);
    if (sessionCookie) await users.closeSession(sessionCookie);
    endSession(res, session.secure);
    res.redirect(303, "/login");
  });
}
