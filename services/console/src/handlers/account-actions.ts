import { toDecimal } from "@smsgw/contracts";
import { countParts } from "@smsgw/sms-text";
import type { Request, Router } from "express";
import type { UserStore } from "../db/users.ts";
import { checkCallbackUrl } from "../domain/credentials-input.ts";
import { credentialsPage } from "../domain/pages/credentials.ts";
import { sendPage } from "../domain/pages/tools.ts";
import type { PricingClient } from "./pricing-client.ts";
import { locals, pageContext, requireCsrf, requireUser } from "./security.ts";

export interface ActionOptions {
  users: UserStore;
  pricing: PricingClient;
  /** The public API: the send form posts there, as any customer's backend does. */
  apiUrl: string;
  timeoutMs: number;
}

const field = (req: Request, name: string, max: number) =>
  (typeof req.body?.[name] === "string" ? (req.body[name] as string) : "").slice(0, max);

/** Credentials (rotations, default callback URL) and the send form. */
export function mountActions(router: Router, options: ActionOptions): void {
  const { users, pricing } = options;

  const user = (res: Parameters<Parameters<Router["get"]>[1]>[1]) => {
    const u = locals(res).user;
    if (!u) throw new Error("requireUser did not run");
    return u;
  };

  async function hashOf(accountId: string): Promise<string> {
    const account = await pricing.account(accountId);
    if (account.outcome !== "account") throw new Error(account.reason);
    return account.account.hash;
  }

  router.get("/credentials", requireUser, async (_req, res) => {
    const u = user(res);
    res.send(
      credentialsPage(pageContext(res), {
        hash: await hashOf(u.accountId),
        apiUrl: options.apiUrl,
        callbackUrl: u.callbackUrl,
      }).value,
    );
  });

  router.post("/credentials/rotate-token", requireUser, requireCsrf, async (_req, res) => {
    const u = user(res);
    const rotated = await pricing.rotateToken(u.accountId);
    if (rotated.outcome !== "rotated") throw new Error(rotated.reason);
    res.send(
      credentialsPage(pageContext(res), {
        hash: rotated.hash,
        token: rotated.token,
        apiUrl: options.apiUrl,
        callbackUrl: u.callbackUrl,
        notice: "New token issued. The previous token no longer works.",
      }).value,
    );
  });

  router.post("/credentials/rotate-webhook-secret", requireUser, requireCsrf, async (_req, res) => {
    const u = user(res);
    const rotated = await pricing.rotateWebhookSecret(u.accountId);
    if (rotated.outcome !== "rotated") throw new Error(rotated.reason);
    res.send(
      credentialsPage(pageContext(res), {
        hash: await hashOf(u.accountId),
        webhookSecret: rotated.webhookSecret,
        apiUrl: options.apiUrl,
        callbackUrl: u.callbackUrl,
        notice: "New webhook signing secret issued.",
      }).value,
    );
  });

  router.post("/credentials/callback", requireUser, requireCsrf, async (req, res) => {
    const u = user(res);
    const checked = checkCallbackUrl(req.body?.callbackUrl);
    const hash = await hashOf(u.accountId);
    if (!checked.ok) {
      return void res.status(422).send(
        credentialsPage(pageContext(res), {
          hash,
          apiUrl: options.apiUrl,
          callbackUrl: u.callbackUrl,
          problems: [checked.problem],
        }).value,
      );
    }
    await users.setCallbackUrl(u.userId, checked.value);
    res.send(
      credentialsPage(pageContext(res), {
        hash,
        apiUrl: options.apiUrl,
        callbackUrl: checked.value,
        notice: checked.value ? "Callback URL saved." : "Callback URL removed.",
      }).value,
    );
  });

  router.get("/send", requireUser, (_req, res) => {
    res.send(
      sendPage(pageContext(res), {
        to: "",
        from: "",
        text: "",
        callbackUrl: user(res).callbackUrl,
        problems: [],
      }).value,
    );
  });

  router.post("/send", requireUser, requireCsrf, async (req, res) => {
    const u = user(res);
    const form = {
      to: field(req, "to", 40).replace(/[\s()-]/g, ""),
      from: field(req, "from", 20),
      text: field(req, "text", 5_000),
      callbackUrl: u.callbackUrl,
    };
    const token = field(req, "token", 200);
    const hash = await hashOf(u.accountId);
    // Through the public API, exactly as the customer's backend would send it.
    let status = 0;
    let body: Record<string, unknown> = {};
    try {
      const answer = await fetch(`${options.apiUrl.replace(/\/+$/, "")}/v1/messages`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${hash}:${token}`).toString("base64")}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          to: form.to,
          from: form.from,
          text: form.text,
          ...(form.callbackUrl ? { callbackUrl: form.callbackUrl } : {}),
        }),
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
