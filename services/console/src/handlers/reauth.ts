import type { AuditBy } from "@smsgw/contracts";
import type { SecretBox } from "@smsgw/service-kit";
import type { Request } from "express";
import type { SecurityStore } from "../db/account-security.ts";
import type { User, UserStore } from "../db/users.ts";
import { tooManyAttempts } from "../domain/pages/auth.ts";
import { recentlyConfirmed } from "../domain/team.ts";
import { checkTotp } from "../domain/totp.ts";
import { type Attempts, checkSecret } from "./attempts.ts";
import { verifyPassword } from "./password.ts";

export interface ReauthDeps {
  users: UserStore;
  security: SecurityStore;
  /** Seals the TOTP secrets (CONSOLE_SECRETS_KEY); undefined: two-factor is unavailable. */
  box: SecretBox | undefined;
  /** Log-in attempts: a password asked again counts against the same email and client. */
  loginAttempts: Attempts;
  /** REAUTH_MINUTES: a confirmation this recent is enough; 0 asks every time. */
  reauthWindowMs: number;
}

export type Reauth =
  | { ok: true }
  | { ok: false; status: number; problem: string; retryAfterSec?: number };

interface Confirming {
  userId: string;
  email: string;
  totpEnabled: boolean;
  sessionId: string;
  reauthAt: Date | null;
}

const field = (req: Request, name: string) =>
  (typeof req.body?.[name] === "string" ? (req.body[name] as string) : "").slice(0, 1_000);

/**
 * A code typed in for a user with two-factor on: right, and its time step not used before
 * (marked used in the same statement that checks, so a code opens one thing once).
 */
export async function codeIsRight(
  deps: Pick<ReauthDeps, "security" | "box">,
  userId: string,
  code: string,
): Promise<boolean> {
  const state = await deps.security.totpState(userId);
  if (!state.secret || !deps.box) return false;
  const checked = checkTotp(deps.box.open(state.secret), code, Date.now(), state.lastStep);
  return checked.ok && (await deps.security.useTotpStep(userId, checked.step));
}

/**
 * The current password (and, with two-factor on, a code), asked again before an action that
 * shows or replaces a secret: the session alone is not enough. Typed within the last
 * REAUTH_MINUTES of this session, the action asks nothing; typed in the form, it is checked
 * (a wrong one refuses even inside that window) and counted as a log-in attempt.
 * `what` ends the sentences shown.
 */
export async function passwordAgain(
  deps: ReauthDeps,
  req: Request,
  user: Confirming,
  what: { ask: string; refused: string },
): Promise<Reauth> {
  const password = field(req, "password");
  const code = field(req, "code");
  if (password === "" && code === "") {
    if (recentlyConfirmed(user.reauthAt, new Date(), deps.reauthWindowMs)) return { ok: true };
  }
  if (password === "") return { ok: false, status: 422, problem: what.ask };
  if (user.totpEnabled && code === "") {
    return {
      ok: false,
      status: 422,
      problem: `${what.ask.replace(/\.$/, "")}, and the code from your authenticator app.`,
    };
  }
  const who = { email: user.email, userId: user.userId, ip: req.ip ?? "unknown" };
  const checked = await checkSecret(
    deps.loginAttempts,
    user.totpEnabled ? { kind: "password and code", ...who } : { kind: "password", ...who },
    Date.now(),
    async () => {
      const stored = await deps.users.findByEmail(user.email);
      const right = stored !== undefined && (await verifyPassword(password, stored.passwordHash));
      // The code only after the password: a wrong password does not use up a code.
      return right && (!user.totpEnabled || (await codeIsRight(deps, user.userId, code)));
    },
  );
  if (checked.outcome === "right") {
    await deps.security.confirmed(user.sessionId);
    return { ok: true };
  }
  if (checked.outcome === "locked") {
    return {
      ok: false,
      status: 429,
      problem: tooManyAttempts(checked.waitMs),
      retryAfterSec: Math.ceil(checked.waitMs / 1000),
    };
  }
  const refused = user.totpEnabled
    ? what.refused.replace("That is not your current password", "That password or code is wrong")
    : what.refused;
  return { ok: false, status: 403, problem: refused };
}

/** The audit log's "who" for a change made in the console: the signed-in user, from where. */
export function auditBy(req: Request, user: User): AuditBy {
  return { actor: `console:${user.userId}`, ip: req.ip ?? null };
}
