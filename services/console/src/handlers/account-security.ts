import type { Request, Response, Router } from "express";
import { checkNewPassword } from "../domain/credentials-input.ts";
import { type SecurityView, securityPage } from "../domain/pages/account-security.ts";
import { checkTotp, newTotpSecret, totpUri } from "../domain/totp.ts";
import type { AuditRelay } from "./audit-relay.ts";
import { hashPassword } from "./password.ts";
import { auditBy, passwordAgain, type ReauthDeps } from "./reauth.ts";
import { pageContext, requireCsrf, requireUser, signedIn } from "./security.ts";

export interface AccountSecurityOptions extends ReauthDeps {
  audit: AuditRelay;
}

const ID = /^ses_[A-Za-z0-9]{1,64}$/;

/**
 * Each user's own security page: change the password (with the current one), turn TOTP
 * two-factor on (the password, then a secret shown once, confirmed by a code) or off
 * (password and code), see
 * and end their sessions. Every change writes one audit entry with it.
 */
export function mountAccountSecurity(router: Router, options: AccountSecurityOptions): void {
  const { security, box } = options;
  const user = signedIn;

  async function page(res: Response, extra: Partial<SecurityView> = {}, status = 200) {
    const u = user(res);
    const sessions = await security.sessionsOf(u.userId);
    const view: SecurityView = {
      sessions,
      currentSessionId: u.sessionId,
      totpEnabled: u.totpEnabled,
      totpUnavailable: box === undefined,
      ...extra,
    };
    res.status(status).send(securityPage(pageContext(res), view).value);
  }

  /** The password (and code) typed in this form, always asked (not the recent window). */
  async function confirmedNow(req: Request, res: Response, what: string): Promise<boolean> {
    const u = user(res);
    const checked = await passwordAgain(
      options,
      req,
      { ...u, reauthAt: null },
      {
        ask: `Type your current password to ${what}.`,
        refused: `That is not your current password: nothing was changed.`,
      },
    );
    if (checked.ok) return true;
    if (checked.retryAfterSec !== undefined) res.set("retry-after", String(checked.retryAfterSec));
    await page(res, { problems: [checked.problem] }, checked.status);
    return false;
  }

  router.get("/security", requireUser, async (req, res) => {
    const totp = req.query.totp;
    await page(res, totp === "on" || totp === "off" ? { notice: `Two-factor is ${totp}.` } : {});
  });

  router.post("/security/password", requireUser, requireCsrf, async (req, res) => {
    const u = user(res);
    const next = checkNewPassword(req.body?.newPassword, u.email);
    if (!next.ok) return void (await page(res, { problems: [next.problem] }, 422));
    if (!(await confirmedNow(req, res, "change it"))) return;
    await security.changePassword(u, await hashPassword(next.value), auditBy(req, u));
    await options.audit.flush();
    await page(res, { notice: "Password changed. Your other sessions have ended." });
  });

  router.post("/security/totp/start", requireUser, requireCsrf, async (req, res) => {
    const u = user(res);
    if (!box) return void (await page(res, { problems: ["Two-factor is not available."] }, 409));
    if (u.totpEnabled)
      return void (await page(res, { problems: ["Two-factor is on already."] }, 409));
    // The password first: a stolen session alone cannot enrol the thief's authenticator.
    if (!(await confirmedNow(req, res, "set up two-factor"))) return;
    const secret = newTotpSecret();
    await security.startTotp(u.userId, box.seal(secret));
    // Shown on this answer only; kept sealed until the first code proves the app has it.
    await page(res, { enrolling: { secret, uri: totpUri(secret, u.email) } });
  });

  router.post("/security/totp/confirm", requireUser, requireCsrf, async (req, res) => {
    const u = user(res);
    const state = await security.totpState(u.userId);
    if (!box || !state.pending || state.secret) {
      return void (await page(res, { problems: ["Start the set-up first."] }, 409));
    }
    const code = typeof req.body?.code === "string" ? req.body.code.slice(0, 20) : "";
    const checked = checkTotp(box.open(state.pending), code, Date.now(), null);
    if (!checked.ok) {
      // The same secret stays waiting: the user tries the next code, nothing is shown again.
      return void (await page(
        res,
        {
          problems: [
            "That code is not right: try the one your app shows now. Still nothing? Set it up again.",
          ],
        },
        422,
      ));
    }
    if (!(await security.confirmTotp(u, checked.step, auditBy(req, u)))) {
      return void (await page(res, { problems: ["Start the set-up first."] }, 409));
    }
    await options.audit.flush();
    res.redirect(303, "/security?totp=on");
  });

  router.post("/security/totp/disable", requireUser, requireCsrf, async (req, res) => {
    const u = user(res);
    if (!u.totpEnabled) return void (await page(res, { problems: ["Two-factor is off."] }, 409));
    if (!(await confirmedNow(req, res, "turn two-factor off"))) return;
    await security.disableTotp(u, auditBy(req, u));
    await options.audit.flush();
    res.redirect(303, "/security?totp=off");
  });

  router.post("/security/sessions/:id/revoke", requireUser, requireCsrf, async (req, res) => {
    const u = user(res);
    const id = String(req.params.id);
    const revoked = ID.test(id) && (await security.revokeSession(u, id, auditBy(req, u)));
    if (!revoked) return void (await page(res, { problems: ["No such session of yours."] }, 404));
    await options.audit.flush();
    await page(res, { notice: "Session ended." });
  });
}
