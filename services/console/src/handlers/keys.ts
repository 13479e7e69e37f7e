import { API_KEY_ID } from "@smsgw/contracts";
import { newApiKeySecret } from "@smsgw/service-kit";
import type { Request, Response, Router } from "express";
import { readKeyForm } from "../domain/key-input.ts";
import { type KeysView, keysPage } from "../domain/pages/keys.ts";
import { type InboundClient, InboundUnavailableError } from "./inbound-client.ts";
import type { PricingClient } from "./pricing-client.ts";
import { auditBy, passwordAgain, type ReauthDeps } from "./reauth.ts";
import { locals, pageContext, requireCsrf, requireUser } from "./security.ts";

export interface KeysOptions extends ReauthDeps {
  pricing: PricingClient;
  /** The audit entries of numbers and sender IDs, which the inbound service keeps. */
  inbound: Pick<InboundClient, "audit">;
}

/** The audit table's length: the newest of both logs together. */
const AUDIT_SHOWN = 50;

const text = (value: unknown, max: number) =>
  (typeof value === "string" ? value : "").slice(0, max);
const texts = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");

/**
 * The keys page: the session's account's API keys from pricing (their owner), a create form
 * (the secret is made here, shown once on the answer, and only its SHA-256 goes to pricing)
 * and a revoke button per key. Every form carries the CSRF token; creating asks for the
 * password again, as a rotation does, because the answer shows a secret.
 */
export function mountKeys(router: Router, options: KeysOptions): void {
  const { pricing } = options;

  const user = (res: Response) => {
    const u = locals(res).user;
    if (!u) throw new Error("requireUser did not run");
    return u;
  };

  async function page(res: Response, extra: Partial<KeysView> = {}, status = 200) {
    const accountId = user(res).accountId;
    const [listed, audit, numbersAudit] = await Promise.all([
      pricing.keys(accountId),
      pricing.audit(accountId),
      // The page still serves the keys when the inbound service does not answer.
      options.inbound.audit(accountId, AUDIT_SHOWN).catch((error: unknown) => {
        if (error instanceof InboundUnavailableError) return null;
        throw error;
      }),
    ]);
    if (listed.outcome !== "keys") throw new Error(listed.reason);
    if (audit.outcome !== "entries") throw new Error(audit.reason);
    const numbersEntries = numbersAudit?.ok ? numbersAudit.value.entries : [];
    const entries = [...audit.entries, ...numbersEntries]
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
      .slice(0, AUDIT_SHOWN);
    const view = {
      keys: listed.keys,
      audit: entries,
      numbersAuditMissing: !numbersAudit?.ok,
      ...extra,
    };
    res.status(status).send(keysPage(pageContext(res), view).value);
  }

  router.get("/keys", requireUser, async (_req, res) => {
    await page(res);
  });

  router.post("/keys", requireUser, requireCsrf, async (req: Request, res) => {
    const u = user(res);
    const form = {
      name: text(req.body?.name, 200),
      scopes: texts(req.body?.scopes).slice(0, 10),
      allowedIps: text(req.body?.allowedIps, 2_000),
    };
    const read = readKeyForm(form.name, form.scopes, form.allowedIps);
    if (!read.ok) return void (await page(res, { form, problems: read.problems }, 422));
    const checked = await passwordAgain(options, req, u.email, text(req.body?.password, 1_000), {
      ask: "Type your current password to create a key.",
      refused: "That is not your current password: no key was created.",
    });
    if (!checked.ok) {
      if (checked.retryAfterSec !== undefined) {
        res.set("retry-after", String(checked.retryAfterSec));
      }
      return void (await page(res, { form, problems: [checked.problem] }, checked.status));
    }
    const { id, secret, secretSha256 } = newApiKeySecret();
    const key = { id, ...read.value, secretSha256 };
    const created = await pricing.createKey(u.accountId, key, auditBy(req, u));
    if (created.outcome === "limit_reached") {
      const problem = `The account has ${created.limit} keys, the most it may hold: revoke one first.`;
      return void (await page(res, { form, problems: [problem] }, 422));
    }
    if (created.outcome !== "created") throw new Error(created.reason);
    await page(res, { created: { name: read.value.name, secret } });
  });

  router.post("/keys/:id/revoke", requireUser, requireCsrf, async (req: Request, res) => {
    const id = String(req.params.id);
    if (!API_KEY_ID.test(id)) return void (await page(res, { problems: ["No such key."] }, 404));
    const revoked = await pricing.revokeKey(user(res).accountId, id, auditBy(req, user(res)));
    if (revoked.outcome === "not_found") {
      return void (await page(res, { problems: ["No such key: it may be revoked already."] }, 404));
    }
    if (revoked.outcome !== "revoked") throw new Error(revoked.reason);
    await page(res, { notice: "Key revoked. It stops working everywhere within a second." });
  });
}
