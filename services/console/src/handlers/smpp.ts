import type { Request, Response, Router } from "express";
import { type SmppView, smppPage } from "../domain/pages/smpp.ts";
import type { PricingClient } from "./pricing-client.ts";
import { auditBy, passwordAgain, type ReauthDeps } from "./reauth.ts";
import { pageContext, requireCsrf, requireUser, signedIn } from "./security.ts";

export interface SmppOptions extends ReauthDeps {
  pricing: PricingClient;
  /** Where customers bind (PUBLIC_SMPP_ADDRESS). */
  address: string;
}

/**
 * The SMPP page: the session's account's system_id from pricing (the owner of accounts; the
 * password is kept there as a scrypt hash only), and a rotation that asks for the console
 * password again, as the token's does, because its answer shows the new SMPP password.
 */
export function mountSmpp(router: Router, options: SmppOptions): void {
  const { pricing } = options;

  const user = signedIn;

  async function page(res: Response, extra: Partial<SmppView> = {}, status = 200) {
    const found = await pricing.account(user(res).accountId);
    if (found.outcome !== "account") throw new Error(found.reason);
    const view = { systemId: found.account.smppSystemId ?? null, address: options.address };
    res.status(status).send(smppPage(pageContext(res), { ...view, ...extra }).value);
  }

  router.get("/smpp", requireUser, async (_req, res) => {
    await page(res);
  });

  router.post("/smpp/rotate", requireUser, requireCsrf, async (req: Request, res) => {
    const u = user(res);
    const checked = await passwordAgain(options, req, u, {
      ask: "Type your current password to rotate.",
      refused: "That is not your current password: nothing was rotated.",
    });
    if (!checked.ok) {
      if (checked.retryAfterSec !== undefined) {
        res.set("retry-after", String(checked.retryAfterSec));
      }
      return void (await page(res, { problems: [checked.problem] }, checked.status));
    }
    const rotated = await pricing.rotateSmppCredentials(u.accountId, auditBy(req, u));
    if (rotated.outcome !== "rotated") throw new Error(rotated.reason);
    const { systemId, password: smppPassword } = rotated;
    await page(res, {
      rotated: { systemId, password: smppPassword },
      notice: "New SMPP password issued. The previous one no longer binds.",
    });
  });
}
