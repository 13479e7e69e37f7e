import type { Request, Router } from "express";
import type { TeamStore } from "../db/team.ts";
import type { UserStore } from "../db/users.ts";
import { checkNewPassword } from "../domain/credentials-input.ts";
import { invitePage } from "../domain/pages/invite.ts";
import type { AuditRelay } from "./audit-relay.ts";
import { hashPassword } from "./password.ts";
import { locals, pageContext, requireCsrf, type SessionOptions, startSession } from "./security.ts";

export interface InviteOptions {
  team: TeamStore;
  users: UserStore;
  session: SessionOptions;
  audit: AuditRelay;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * An invitation link (`/invite/<token>`): its holder sees the email and role it is for,
 * chooses a password and is a member, logged in. The token is checked against its SHA-256,
 * works once and until it expires; a wrong or used one says so and opens nothing.
 */
export function mountInvite(router: Router, options: InviteOptions): void {
  const { team, users, session } = options;
  const tokenOf = (req: Request) => {
    const token = String(req.params.token);
    return TOKEN.test(token) ? token : "";
  };

  router.get("/invite/:token", async (req, res) => {
    const token = tokenOf(req);
    const found = token
      ? await team.invitation(token)
      : { state: "unknown" as const, email: "", role: "" };
    res
      .status(found.state === "open" ? 200 : 410)
      .send(
        invitePage(pageContext(res), { ...found, action: req.originalUrl, problems: [] }).value,
      );
  });

  router.post("/invite/:token", requireCsrf, async (req, res) => {
    const token = tokenOf(req);
    const found = token
      ? await team.invitation(token)
      : { state: "unknown" as const, email: "", role: "" };
    const view = { ...found, action: req.originalUrl };
    if (found.state !== "open") {
      return void res
        .status(410)
        .send(invitePage(pageContext(res), { ...view, problems: [] }).value);
    }
    const password = checkNewPassword(req.body?.password, found.email);
    if (!password.ok) {
      return void res
        .status(422)
        .send(invitePage(pageContext(res), { ...view, problems: [password.problem] }).value);
    }
    const accepted = await team.accept(token, await hashPassword(password.value), req.ip ?? null);
    if (accepted.outcome === "email_taken") {
      const problem = "This email already logs in to an account: ask the owner to invite another.";
      return void res
        .status(409)
        .send(invitePage(pageContext(res), { ...view, problems: [problem] }).value);
    }
    if (accepted.outcome !== "joined") {
      return void res
        .status(410)
        .send(
          invitePage(pageContext(res), { ...view, state: accepted.outcome, problems: [] }).value,
        );
    }
    await options.audit.flush();
    // A session this browser had (another user's) ends; the new member is logged in.
    const previous = locals(res).sessionCookie;
    if (previous) await users.closeSession(previous);
    const meta = { ip: req.ip ?? null, userAgent: req.get("user-agent") ?? null };
    startSession(res, await users.openSession(accepted.userId, session, meta), session);
    res.redirect(303, "/dashboard");
  });
}
