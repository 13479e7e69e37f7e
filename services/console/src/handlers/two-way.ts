import type { Request, Response, Router } from "express";
import { numberInPath, readE164, readInboundUrl, readTakeForm } from "../domain/number-input.ts";
import { inboundPage } from "../domain/pages/inbound.ts";
import { type NumbersView, numbersPage } from "../domain/pages/numbers.ts";
import { type OptOutsView, optOutsPage } from "../domain/pages/opt-outs.ts";
import type { InboundClient } from "./inbound-client.ts";
import type { PricingClient } from "./pricing-client.ts";
import { auditBy } from "./reauth.ts";
import { pageContext, requireCsrf, requireUser, signedIn } from "./security.ts";

export interface TwoWayOptions {
  inbound: InboundClient;
  /** Whether the account is a test account (it takes simulator numbers only). */
  pricing: Pick<PricingClient, "account">;
  /** WEBHOOK_ALLOW_PRIVATE: an inbound URL may name a private or loopback host. */
  allowPrivateCallbacks: boolean;
}

const INBOUND_PAGE = 50;
/** Opt-outs a page of the console shows: a long list is paged, never cut off. */
const OPT_OUTS_PAGE = 200;

const field = (req: Request, name: string, max: number) =>
  (typeof req.body?.[name] === "string" ? (req.body[name] as string) : "").slice(0, max);

/**
 * Two-way messaging (api.md section 5): the account's numbers, its inbound messages and its
 * opt-out list, asked of the inbound service exactly as ingress asks for the API, always
 * for the session's account. Every form carries the CSRF token.
 */
export function mountTwoWay(router: Router, options: TwoWayOptions): void {
  const { inbound, pricing } = options;
  const userOf = signedIn;
  const accountOf = (res: Response) => signedIn(res).accountId;
  const isTest = async (accountId: string) => {
    const account = await pricing.account(accountId);
    if (account.outcome !== "account") throw new Error(account.reason);
    return account.account.test;
  };

  async function numbers(res: Response, extra: Partial<NumbersView> = {}, status = 200) {
    const accountId = accountOf(res);
    const [listed, senders, test] = await Promise.all([
      inbound.numbers(accountId),
      inbound.senderIds(accountId),
      isTest(accountId),
    ]);
    if (!listed.ok) throw new Error(listed.message);
    if (!senders.ok) throw new Error(senders.message);
    const view = {
      numbers: listed.value.numbers,
      senderIds: senders.value.senders,
      test,
      ...extra,
    };
    res.status(status).send(numbersPage(pageContext(res), view).value);
  }

  async function optOuts(
    res: Response,
    extra: Partial<OptOutsView> = {},
    status = 200,
    cursor = "",
  ) {
    const accountId = accountOf(res);
    let listed = await inbound.optOuts(accountId, OPT_OUTS_PAGE, cursor || undefined);
    const problems = [...(extra.problems ?? [])];
    if (!listed.ok && cursor) {
      problems.push("That page link is not valid any more; showing the list from its start.");
      listed = await inbound.optOuts(accountId, OPT_OUTS_PAGE);
    }
    if (!listed.ok) throw new Error(listed.message);
    const { optOuts: page, nextCursor } = listed.value;
    res.status(problems.length > 0 && status === 200 ? 422 : status).send(
      optOutsPage(pageContext(res), {
        optOuts: page,
        nextCursor: nextCursor ?? null,
        ...extra,
        problems,
      }).value,
    );
  }

  router.get("/numbers", requireUser, async (_req, res) => {
    await numbers(res);
  });

  router.post("/numbers", requireUser, requireCsrf, async (req, res) => {
    const form = { country: field(req, "country", 10), number: field(req, "number", 40) };
    const wish = readTakeForm(form.country, form.number);
    if (!wish.ok) return void (await numbers(res, { form, problems: [wish.problem] }, 422));
    const accountId = accountOf(res);
    const by = auditBy(req, userOf(res));
    const taken = await inbound.take(accountId, await isTest(accountId), wish.value, by);
    if (!taken.ok) {
      const problem =
        taken.status === "no_number_available"
          ? `No number is free there: ${taken.message}.`
          : taken.message;
      return void (await numbers(res, { form, problems: [problem] }, 422));
    }
    await numbers(res, { notice: `${taken.value.number} is yours.` }, 201);
  });

  router.post("/numbers/:number/inbound-url", requireUser, requireCsrf, async (req, res) => {
    const number = numberInPath(req.params.number);
    if (!number) return void (await numbers(res, { problems: ["No such number."] }, 404));
    const url = readInboundUrl(field(req, "inboundUrl", 4_000), options.allowPrivateCallbacks);
    if (!url.ok) return void (await numbers(res, { problems: [url.problem] }, 422));
    const by = auditBy(req, userOf(res));
    const saved = await inbound.setInboundUrl(accountOf(res), number, url.value, by);
    if (!saved.ok) return void (await numbers(res, { problems: ["No such number."] }, 404));
    await numbers(res, {
      notice: url.value
        ? `Inbound URL of ${number} saved.`
        : `Inbound URL of ${number} removed: the account's default callback URL applies.`,
    });
  });

  router.post("/numbers/:number/release", requireUser, requireCsrf, async (req, res) => {
    const number = numberInPath(req.params.number);
    const by = auditBy(req, userOf(res));
    const released = number ? await inbound.release(accountOf(res), number, by) : undefined;
    if (!released?.ok) {
      return void (await numbers(res, { problems: ["No such number: released already?"] }, 404));
    }
    await numbers(res, { notice: `${number} released.` });
  });

  router.post("/sender-ids", requireUser, requireCsrf, async (req, res) => {
    const typed = field(req, "sender", 40);
    const asked = await inbound.requestSenderId(accountOf(res), typed, auditBy(req, userOf(res)));
    if (!asked.ok) {
      const problem = `${asked.message.replace(/^sender/, "The sender ID")}.`;
      return void (await numbers(res, { senderForm: typed, problems: [problem] }, 422));
    }
    await numbers(res, {
      notice:
        asked.value.status === "pending"
          ? `${asked.value.sender} is waiting for the operator's approval.`
          : `${asked.value.sender} is ${asked.value.status} already.`,
    });
  });

  router.post("/sender-ids/:sender/withdraw", requireUser, requireCsrf, async (req, res) => {
    const sender = String(req.params.sender).slice(0, 32);
    const withdrawn = await inbound.withdrawSenderId(
      accountOf(res),
      sender,
      auditBy(req, userOf(res)),
    );
    if (!withdrawn.ok) return void (await numbers(res, { problems: ["No such sender ID."] }, 404));
    await numbers(res, { notice: `${sender} withdrawn: it is no longer your sender.` });
  });

  router.get("/inbound", requireUser, async (req, res) => {
    const cursor = typeof req.query.cursor === "string" ? req.query.cursor.slice(0, 200) : "";
    const accountId = accountOf(res);
    let page = await inbound.inbound(accountId, INBOUND_PAGE, cursor || undefined);
    const problems: string[] = [];
    if (!page.ok) {
      problems.push("That page link is not valid any more; showing the newest messages.");
      page = await inbound.inbound(accountId, INBOUND_PAGE);
      if (!page.ok) throw new Error(page.message);
    }
    res
      .status(problems.length > 0 ? 422 : 200)
      .send(
        inboundPage(pageContext(res), page.value.inbound, page.value.nextCursor, problems).value,
      );
  });

  router.get("/opt-outs", requireUser, async (req, res) => {
    const cursor = typeof req.query.cursor === "string" ? req.query.cursor.slice(0, 200) : "";
    await optOuts(res, {}, 200, cursor);
  });

  router.post("/opt-outs", requireUser, requireCsrf, async (req, res) => {
    const typed = field(req, "number", 40);
    const number = readE164(typed);
    if (!number.ok) {
      return void (await optOuts(res, { number: typed, problems: [number.problem] }, 422));
    }
    const added = await inbound.addOptOut(accountOf(res), number.value);
    if (!added.ok)
      return void (await optOuts(res, { number: typed, problems: [added.message] }, 422));
    await optOuts(
      res,
      { notice: `${number.value} is on the list: messages to it are refused.` },
      201,
    );
  });

  router.post("/opt-outs/:number/remove", requireUser, requireCsrf, async (req, res) => {
    const number = numberInPath(req.params.number);
    const removed = number ? await inbound.removeOptOut(accountOf(res), number) : undefined;
    if (!removed?.ok) {
      return void (await optOuts(res, { problems: ["That number is not on the list."] }, 404));
    }
    await optOuts(res, { notice: `${number} removed: messages to it are sent again.` });
  });
}
