import { toDecimal } from "@smsgw/contracts";
import { countParts } from "@smsgw/sms-text";
import type { Request, Response, Router } from "express";
import type { UserStore } from "../db/users.ts";
import { checkCallbackUrl } from "../domain/credentials-input.ts";
import { type CredentialsView, credentialsPage } from "../domain/pages/credentials.ts";
import { sendPage } from "../domain/pages/tools.ts";
import type { Attempts } from "./attempts.ts";
import type { DispatcherClient } from "./dispatcher-client.ts";
import type { PricingClient } from "./pricing-client.ts";
import { auditBy, passwordAgain } from "./reauth.ts";
import { locals, pageContext, requireCsrf, requireUser } from "./security.ts";

export interface ActionOptions {
  pricing: PricingClient;
  users: UserStore;
  /** Log-in attempts: a password asked again counts against the same email and client. */
  loginAttempts: Attempts;
  dispatcher: DispatcherClient;
  /** The public API as customers see it (the credentials page's snippets). */
  apiUrl: string;
  /** Where this service reaches that API (INGRESS_URL): inside a cluster, not the public name. */
  ingressUrl: string;
  timeoutMs: number;
}

const field = (req: Request, name: string, max: number) =>
  (typeof req.body?.[name] === "string" ? (req.body[name] as string) : "").slice(0, max);

/** Credentials (rotations, default callback URL) and the send form. */
export function mountActions(router: Router, options: ActionOptions): void {
  const { pricing, users, loginAttempts } = options;

  const user = (res: Response) => {
    const u = locals(res).user;
    if (!u) throw new Error("requireUser did not run");
    return u;
  };

  /** The account as pricing (its owner) has it: the hash and the default callback URL. */
  async function accountOf(accountId: string) {
    const account = await pricing.account(accountId);
    if (account.outcome !== "account") throw new Error(account.reason);
    return { hash: account.account.hash, callbackUrl: account.account.defaultCallbackUrl ?? null };
  }

  /** The credentials page of the account, with what the action adds. */
  async function credentials(res: Response, extra: Partial<CredentialsView> = {}, status = 200) {
    const account = await accountOf(user(res).accountId);
    res.status(status).send(
      credentialsPage(pageContext(res), {
        hash: account.hash,
        apiUrl: options.apiUrl,
        callbackUrl: account.callbackUrl,
        ...extra,
      }).value,
    );
  }

  router.get("/credentials", requireUser, async (_req, res) => {
    await credentials(res);
  });

  /**
   * A rotation shows a new secret to whoever holds the page: the session alone is not
   * enough, the password is asked again. False when it was not right (the page is sent).
   */
  async function reauthenticated(req: Request, res: Response): Promise<boolean> {
    const checked = await passwordAgain(
      { users, loginAttempts },
      req,
      user(res).email,
      field(req, "password", 1_000),
      {
        ask: "Type your current password to rotate.",
        refused: "That is not your current password: nothing was rotated.",
      },
    );
    if (checked.ok) return true;
    if (checked.retryAfterSec !== undefined) {
      res.set("retry-after", String(checked.retryAfterSec));
    }
    await credentials(res, { problems: [checked.problem] }, checked.status);
    return false;
  }

  router.post("/credentials/rotate-token", requireUser, requireCsrf, async (req, res) => {
    if (!(await reauthenticated(req, res))) return;
    const rotated = await pricing.rotateToken(user(res).accountId, auditBy(req, user(res)));
    if (rotated.outcome !== "rotated") throw new Error(rotated.reason);
    await credentials(res, {
      token: rotated.token,
      notice: "New token issued. The previous token no longer works.",
    });
  });

  router.post("/credentials/rotate-webhook-secret", requireUser, requireCsrf, async (req, res) => {
    if (!(await reauthenticated(req, res))) return;
    const rotated = await pricing.rotateWebhookSecret(user(res).accountId, auditBy(req, user(res)));
    if (rotated.outcome !== "rotated") throw new Error(rotated.reason);
    await credentials(res, {
      webhookSecret: rotated.webhookSecret,
      notice: "New webhook signing secret issued.",
    });
  });

  // The default callback URL is the account's (pricing publishes it; ingress applies it to
  // every message sent without a callbackUrl, from this console or the API).
  router.post("/credentials/callback", requireUser, requireCsrf, async (req, res) => {
    const u = user(res);
    const checked = checkCallbackUrl(req.body?.callbackUrl);
    if (!checked.ok) return void (await credentials(res, { problems: [checked.problem] }, 422));
    const saved = await pricing.setDefaultCallbackUrl(u.accountId, checked.value, auditBy(req, u));
    if (saved.outcome === "refused") {
      // The gateway's own guard (private and loopback hosts, user info, …) said no.
      return void (await credentials(res, { problems: [`${saved.reason}.`] }, 422));
    }
    if (saved.outcome !== "saved") throw new Error(saved.reason);
    await credentials(res, {
      notice: saved.defaultCallbackUrl ? "Callback URL saved." : "Callback URL removed.",
    });
  });

  router.post("/credentials/test-webhook", requireUser, requireCsrf, async (_req, res) => {
    const answer = await options.dispatcher.testWebhook(user(res).accountId);
    await credentials(res, { testWebhook: answer });
  });

  router.get("/send", requireUser, async (_req, res) => {
    const { callbackUrl } = await accountOf(user(res).accountId);
    res.send(
      sendPage(pageContext(res), { to: "", from: "", text: "", callbackUrl, problems: [] }).value,
    );
  });

  router.post("/send", requireUser, requireCsrf, async (req, res) => {
    const u = user(res);
    const { hash, callbackUrl } = await accountOf(u.accountId);
    const form = {
      to: field(req, "to", 40).replace(/[\s()-]/g, ""),
      from: field(req, "from", 20),
      text: field(req, "text", 5_000),
      callbackUrl,
    };
    const token = field(req, "token", 200);
    // Through the public API, exactly as the customer's backend would send it.
    let status = 0;
    let body: Record<string, unknown> = {};
    try {
      const answer = await fetch(`${options.ingressUrl.replace(/\/+$/, "")}/v1/messages`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${hash}:${token}`).toString("base64")}`,
          "content-type": "application/json",
        },
        // No callbackUrl: the gateway applies the account's default, as for any API client.
        body: JSON.stringify({ to: form.to, from: form.from, text: form.text }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      status = answer.status;
      body = (await answer.json().catch(() => ({}))) as Record<string, unknown>;
    } catch {
      body = { message: "The API did not answer; try again." };
    }
    if (status === 202 && typeof body.messageId === "string") {
      return void res.send(
        sendPage(pageContext(res), {
          ...form,
          problems: [],
          result: {
            messageId: body.messageId,
            parts: Number(body.parts ?? countParts(form.text).parts),
            cost: `${typeof body.cost === "number" ? body.cost : toDecimal(0)} ${String(body.currency ?? "")}`,
          },
        }).value,
      );
    }
    const problem = `${String(body.status ?? "error")}: ${String(body.message ?? "the message was not accepted")}`;
    res.status(422).send(sendPage(pageContext(res), { ...form, problems: [problem] }).value);
  });
}
