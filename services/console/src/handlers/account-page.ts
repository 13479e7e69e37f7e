import type { Request, Response, Router } from "express";
import { readLiveForm } from "../domain/live-form.ts";
import { readThreshold } from "../domain/low-balance.ts";
import { type AccountView, accountPage } from "../domain/pages/account.ts";
import type { PricingClient } from "./pricing-client.ts";
import { auditBy } from "./reauth.ts";
import { pageContext, requireCsrf, requireUser, signedIn } from "./security.ts";

export interface AccountPageOptions {
  pricing: PricingClient;
}

const ASKED = "Thank you: your request for live sending is with our operators.";
const SAVED = "Low-balance threshold saved.";

const field = (req: Request, name: string, max: number) =>
  (typeof req.body?.[name] === "string" ? (req.body[name] as string) : "").slice(0, max);

/**
 * The account page: whether the account is live, its latest request for live sending (from
 * pricing, which owns both), and the form to ask. Asking shows no secret, so the session and
 * the CSRF token are enough; the audit log names the signed-in user.
 */
export function mountAccountPage(router: Router, options: AccountPageOptions): void {
  const { pricing } = options;

  const user = signedIn;

  async function page(res: Response, extra: Partial<AccountView> = {}, status = 200) {
    const answer = await pricing.account(user(res).accountId);
    if (answer.outcome !== "account") throw new Error(answer.reason);
    const { test, balance, currency } = answer.account;
    const view = {
      ...{ test, balance, currency },
      lowBalanceThreshold: answer.account.lowBalanceThreshold ?? null,
      liveRequest: answer.account.liveRequest ?? null,
    };
    res.status(status).send(accountPage(pageContext(res), { ...view, ...extra }).value);
  }

  router.get("/account", requireUser, async (req, res) => {
    const notice = req.query.asked === "1" ? ASKED : req.query.saved === "1" ? SAVED : undefined;
    await page(res, notice ? { notice } : {});
  });

  router.post("/account/live", requireUser, requireCsrf, async (req: Request, res) => {
    const form = {
      company: field(req, "company", 400),
      monthlyVolume: field(req, "monthlyVolume", 40),
      useCase: field(req, "useCase", 4_000),
    };
    const read = readLiveForm(form);
    if (!read.ok) return void (await page(res, { form, problems: read.problems }, 422));
    const u = user(res);
    const asked = await pricing.requestLive(u.accountId, read.value, auditBy(req, u));
    if (asked.outcome === "refused") {
      return void (await page(res, { form, problems: [`${capitalized(asked.reason)}.`] }, 409));
    }
    if (asked.outcome !== "requested") throw new Error(asked.reason);
    // Post/redirect/get: reloading the page must not ask again.
    res.redirect(303, "/account?asked=1");
  });

  router.post("/account/low-balance", requireUser, requireCsrf, async (req: Request, res) => {
    const thresholdText = field(req, "threshold", 40);
    const read = readThreshold(thresholdText);
    if (!read.ok) return void (await page(res, { thresholdText, problems: [read.problem] }, 422));
    const u = user(res);
    const saved = await pricing.setLowBalanceThreshold(u.accountId, read.value, auditBy(req, u));
    if (saved.outcome !== "saved") throw new Error(saved.reason);
    res.redirect(303, "/account?saved=1");
  });
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
