import { pipeline } from "node:stream/promises";
import { isMessageId } from "@smsgw/contracts";
import {
  type AccountLogReader,
  type MessageReader,
  messageCsvExport,
  messageCsvFileName,
} from "@smsgw/message-read-model";
import type { Logger } from "@smsgw/service-kit";
import type { Request, Response, Router } from "express";
import { awaitsSendAt, noticeFits, readCancelNotice } from "../domain/cancel.ts";
import { barsOf, lastDays } from "../domain/chart.ts";
import { type LogQuery, parseLogFilter } from "../domain/log-filter.ts";
import { billingPage } from "../domain/pages/billing.ts";
import { dashboardPage } from "../domain/pages/dashboard.ts";
import { messageNotFoundPage, messagePage, messagesPage } from "../domain/pages/messages.ts";
import { describeEvent } from "../domain/timeline.ts";
import type { PricingClient } from "./pricing-client.ts";
import { pageContext, requireUser, signedIn } from "./security.ts";

export interface PageOptions {
  log: AccountLogReader;
  logger: Logger;
  trail: MessageReader;
  pricing: PricingClient;
}

const LOG_PAGE = 50;
const LOG_FIELDS = ["status", "to", "sender", "from", "until", "messageId", "after"] as const;
const CHART_DAYS = 14;

/** Query fields as strings (express gives arrays for repeated ones: take the first). */
function queryOf(req: Request, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = req.query[name];
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === "string" && first !== "") out[name] = first.slice(0, 200);
  }
  return out;
}

const accountOf = (res: Response): string => signedIn(res).accountId;

/** Every page here shows the logged-in account's data only: the account id comes from the session. */
export function mountPages(router: Router, options: PageOptions): void {
  const { log, trail, pricing, logger } = options;

  router.get("/dashboard", requireUser, async (_req, res) => {
    const accountId = accountOf(res);
    const now = new Date();
    const today = now.toISOString().slice(0, 10);
    const days = lastDays(today, CHART_DAYS);
    const monthStart = `${today.slice(0, 7)}-01`;
    const since = new Date(`${days[0] && days[0] < monthStart ? days[0] : monthStart}T00:00:00Z`);
    const [account, rows] = await Promise.all([
      pricing.account(accountId),
      log.countsByDay(accountId, since, new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000)),
    ]);
    if (account.outcome !== "account") throw new Error(account.reason);
    const tally = (from: string) => {
      const counts: Record<string, number> = {};
      for (const r of rows) if (r.day >= from) counts[r.status] = (counts[r.status] ?? 0) + r.count;
      return counts;
    };
    res.send(
      dashboardPage(pageContext(res), {
        balance: account.account.balance,
        currency: account.account.currency,
        lowBalanceThreshold: account.account.lowBalanceThreshold ?? null,
        test: account.account.test,
        today: tally(today),
        month: tally(monthStart),
        bars: barsOf(days, rows),
      }).value,
    );
  });

  router.get("/messages", requireUser, async (req, res) => {
    const query: LogQuery = queryOf(req, LOG_FIELDS);
    const { filter, problems } = parseLogFilter(query);
    let page: Awaited<ReturnType<AccountLogReader["listMessages"]>>;
    try {
      page = await log.listMessages(accountOf(res), filter, {
        ...(query.after ? { after: query.after } : {}),
        limit: LOG_PAGE,
      });
    } catch (error) {
      if ((error as Error).name !== "InvalidCursorError") throw error;
      problems.push("That page link is not valid any more; showing the newest messages.");
      page = await log.listMessages(accountOf(res), filter, { limit: LOG_PAGE });
    }
    res
      .status(problems.length > 0 ? 422 : 200)
      .send(messagesPage(pageContext(res), query, page.messages, page.nextCursor, problems).value);
  });

  // Before `/messages/:messageId`: the same filters, every page, as CSV (api.md section 5).
  router.get("/messages/export.csv", requireUser, async (req, res) => {
    const query: LogQuery = queryOf(req, LOG_FIELDS);
    const { filter, problems } = parseLogFilter(query);
    if (problems.length > 0) {
      return void res
        .status(422)
        .send(messagesPage(pageContext(res), query, [], null, problems).value);
    }
    const accountId = accountOf(res);
    const csv = await messageCsvExport(log, accountId, filter);
    res
      .type("text/csv; charset=utf-8")
      .set("cache-control", "no-store")
      .attachment(messageCsvFileName(accountId, new Date()));
    // A failure, or a client that goes away, ends the export with the body cut short.
    await pipeline(csv, res).catch((error: unknown) => {
      if ((error as { code?: unknown }).code !== "ERR_STREAM_PREMATURE_CLOSE")
        logger.error({ err: error }, "message export failed");
    });
  });

  router.get("/messages/:messageId", requireUser, async (req, res) => {
    const messageId = String(req.params.messageId);
    const accountId = accountOf(res);
    // Another account's message is "not found", exactly like one that does not exist.
    const detail = isMessageId(messageId) ? await log.getMessageDetail(messageId, accountId) : null;
    const events = detail ? await trail.listEvents(messageId, accountId, { limit: 1_000 }) : null;
    if (!detail || !events) {
      return void res.status(404).send(messageNotFoundPage(pageContext(res)).value);
    }
    const asked = readCancelNotice(req.query.cancel);
    const cancelNotice = asked && noticeFits(asked, detail) ? asked : undefined;
    res.send(
      messagePage(pageContext(res), {
        ...detail,
        timeline: events.events.map(describeEvent),
        moreEvents: events.nextCursor !== null,
        cancelable: awaitsSendAt(detail, Date.now()),
        ...(cancelNotice ? { cancelNotice } : {}),
      }).value,
    );
  });

  router.get("/billing", requireUser, async (req, res) => {
    const accountId = accountOf(res);
    const q = queryOf(req, ["before", "q"]);
    const before = q.before && /^[0-9]{1,18}$/.test(q.before) ? q.before : undefined;
    const search = (q.q ?? "").slice(0, 20);
    const [ledger, prices] = await Promise.all([
      pricing.ledger(accountId, 50, before),
      pricing.priceList(accountId, search),
    ]);
    if (ledger.outcome !== "ledger") throw new Error(ledger.reason);
    res.send(
      billingPage(pageContext(res), {
        accountId,
        balance: ledger.balance,
        currency: ledger.currency,
        entries: ledger.entries,
        nextBefore: ledger.nextBefore,
        search,
        prices: prices.outcome === "prices" ? prices.prices : [],
      }).value,
    );
  });
}
