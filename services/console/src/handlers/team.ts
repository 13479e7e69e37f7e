import type { Request, Response, Router } from "express";
import type { TeamStore } from "../db/team.ts";
import { normalizeEmail } from "../domain/credentials-input.ts";
import { type TeamView, teamPage } from "../domain/pages/team.ts";
import { isRole, type Role } from "../domain/roles.ts";
import type { TeamDecision } from "../domain/team.ts";
import { isTeamAction } from "../domain/team.ts";
import type { AuditRelay } from "./audit-relay.ts";
import type { PricingClient } from "./pricing-client.ts";
import { auditBy } from "./reauth.ts";
import { pageContext, requireCsrf, requireUser, signedIn } from "./security.ts";

export interface TeamOptions {
  team: TeamStore;
  /** The account's audit log (pricing keeps it): the team's recent changes. */
  pricing: PricingClient;
  audit: AuditRelay;
  /** INVITATION_HOURS: how long a link works. */
  invitationTtlMs: number;
  /** PUBLIC_CONSOLE_URL, or undefined: the links name the address of the owner's request. */
  publicUrl: string | undefined;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

const REFUSED: Record<Exclude<TeamDecision, "ok">, [number, string]> = {
  not_found: [404, "No such member."],
  last_owner: [409, "The account must keep an owner: make another member owner first."],
  unchanged: [200, "The member has that role already."],
};

/**
 * The owner's team page (access.ts lets no other role in): members and their roles and
 * sessions, invitations by a link shown once, a role changed or a member removed (never the
 * last owner). Each change writes its audit entry with it; the relay sends it to pricing
 * before the page answers.
 */
export function mountTeam(router: Router, options: TeamOptions): void {
  const { team } = options;
  const user = signedIn;

  async function page(res: Response, extra: Partial<TeamView> = {}, status = 200) {
    const u = user(res);
    const [members, invitations, sessions, audit] = await Promise.all([
      team.members(u.accountId),
      team.openInvitations(u.accountId),
      team.memberSessions(u.accountId),
      options.pricing.audit(u.accountId),
    ]);
    if (audit.outcome !== "entries") throw new Error(audit.reason);
    const view: TeamView = {
      selfId: u.userId,
      members: members.map((m) => ({
        ...m,
        sessions: sessions
          .filter((s) => s.user_id === m.userId)
          .map((s) => ({
            createdAt: s.created_at,
            lastSeenAt: s.last_seen_at,
            ip: s.ip,
            userAgent: s.user_agent,
          })),
      })),
      invitations,
      audit: audit.entries.filter((e) => isTeamAction(e.action)),
      names: new Map(members.map((m) => [m.userId, m.email])),
      ...extra,
    };
    res.status(status).send(teamPage(pageContext(res), view).value);
  }

  router.get("/team", requireUser, async (_req, res) => {
    await page(res);
  });

  router.post("/team/invite", requireUser, requireCsrf, async (req: Request, res) => {
    const u = user(res);
    const email = normalizeEmail(req.body?.email);
    const role: Role = isRole(req.body?.role) ? req.body.role : "viewer";
    const shown = { email: String(req.body?.email ?? "").slice(0, 254), role };
    if (!email.ok) return void (await page(res, { form: shown, problems: [email.problem] }, 422));
    if (!isRole(req.body?.role)) {
      return void (await page(res, { form: shown, problems: ["Choose a role."] }, 422));
    }
    const { token } = await team.invite(
      { accountId: u.accountId, email: email.value, role, ttlMs: options.invitationTtlMs },
      { ...auditBy(req, u), userId: u.userId },
    );
    await options.audit.flush();
    // The link is in this answer only; the table keeps its SHA-256.
    const base = options.publicUrl ?? `${req.protocol}://${req.get("host") ?? "localhost"}`;
    const link = `${base.replace(/\/+$/, "")}/invite/${token}`;
    await page(res, { invited: { email: email.value, role, link } });
  });

  router.post(
    "/team/invitations/:id/revoke",
    requireUser,
    requireCsrf,
    async (req: Request, res) => {
      const u = user(res);
      const id = String(req.params.id);
      const gone = ID.test(id) && (await team.revokeInvitation(u.accountId, id, auditBy(req, u)));
      if (!gone) return void (await page(res, { problems: ["No such open invitation."] }, 404));
      await options.audit.flush();
      await page(res, { notice: "Invitation withdrawn: its link opens nothing now." });
    },
  );

  router.post("/team/members/:id/role", requireUser, requireCsrf, async (req: Request, res) => {
    const u = user(res);
    const id = String(req.params.id);
    if (!isRole(req.body?.role))
      return void (await page(res, { problems: ["Choose a role."] }, 422));
    const decision = ID.test(id)
      ? await team.changeRole(u.accountId, id, req.body.role, auditBy(req, u))
      : "not_found";
    if (decision !== "ok") {
      const [status, problem] = REFUSED[decision];
      return void (await page(
        res,
        status === 200 ? { notice: problem } : { problems: [problem] },
        status,
      ));
    }
    await options.audit.flush();
    await page(res, { notice: `Role changed to ${String(req.body.role)}.` });
  });

  router.post("/team/members/:id/remove", requireUser, requireCsrf, async (req: Request, res) => {
    const u = user(res);
    const id = String(req.params.id);
    const decision = ID.test(id)
      ? await team.remove(u.accountId, id, auditBy(req, u))
      : "not_found";
    if (decision !== "ok") {
      const [status, problem] = REFUSED[decision];
      return void (await page(res, { problems: [problem] }, status));
    }
    await options.audit.flush();
    if (id === u.userId) return void res.redirect(303, "/login");
    await page(res, { notice: "Member removed: their sessions have ended." });
  });
}
