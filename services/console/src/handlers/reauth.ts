import type { AuditBy } from "@smsgw/contracts";
import type { Request } from "express";
import type { User, UserStore } from "../db/users.ts";
import { tooManyAttempts } from "../domain/pages/auth.ts";
import { type Attempts, checkPassword } from "./attempts.ts";
import { verifyPassword } from "./password.ts";

export interface ReauthDeps {
  users: UserStore;
  /** Log-in attempts: a password asked again counts against the same email and client. */
  loginAttempts: Attempts;
}

export type Reauth =
  | { ok: true }
  | { ok: false; status: number; problem: string; retryAfterSec?: number };

/**
 * The current password, asked again before an action that shows a new secret (a rotation,
 * a new API key): the session alone is not enough. `what` ends the sentences shown.
 */
export async function passwordAgain(
  deps: ReauthDeps,
  req: Request,
  email: string,
  password: string,
  what: { ask: string; refused: string },
): Promise<Reauth> {
  if (password === "") return { ok: false, status: 422, problem: what.ask };
  const checked = await checkPassword(
    deps.loginAttempts,
    { email, ip: req.ip ?? "unknown" },
    Date.now(),
    async () => {
      const stored = await deps.users.findByEmail(email);
      return stored !== undefined && (await verifyPassword(password, stored.passwordHash));
    },
  );
  if (checked.outcome === "right") return { ok: true };
  if (checked.outcome === "locked") {
    return {
      ok: false,
      status: 429,
      problem: tooManyAttempts(checked.waitMs),
      retryAfterSec: Math.ceil(checked.waitMs / 1000),
    };
  }
  return { ok: false, status: 403, problem: what.refused };
}

/** The audit log's "who" for a change made in the console: the signed-in user, from where. */
export function auditBy(req: Request, user: User): AuditBy {
  return { actor: `console:${user.userId}`, ip: req.ip ?? null };
}
