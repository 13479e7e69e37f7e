import { CHART_STATUSES, type DayBar, dailyChart } from "../chart.ts";
import { money } from "../format.ts";
import { type Html, html } from "../html.ts";
import { lowBalanceWarning } from "./account.ts";
import { layout, type PageContext } from "./layout.ts";

export interface DashboardView {
  balance: number;
  currency: string;
  /** Money units; below it the dashboard warns. */
  lowBalanceThreshold: number | null;
  test: boolean;
  today: Partial<Record<string, number>>;
  month: Partial<Record<string, number>>;
  bars: DayBar[];
}

const sum = (counts: Partial<Record<string, number>>) =>
  Object.values(counts).reduce((s: number, n) => s + (n ?? 0), 0);

/** Delivered among the messages that reached a final status; null when none did. */
export function deliveryRatio(counts: Partial<Record<string, number>>): number | null {
  const finals = ["delivered", "undelivered", "expired", "failed"].reduce(
    (s, k) => s + (counts[k] ?? 0),
    0,
  );
  return finals === 0 ? null : (counts.delivered ?? 0) / finals;
}

function countsTable(caption: string, counts: Partial<Record<string, number>>): Html {
  const ratio = deliveryRatio(counts);
  return html`<table class="counts"><caption>${caption}: ${sum(counts)} messages${ratio === null ? "" : `, ${(ratio * 100).toFixed(1)}% delivered`}</caption>
<tbody>${CHART_STATUSES.map(([status]) => html`<tr><th scope="row"><span class="dot ${status}"></span>${status}</th><td>${counts[status] ?? 0}</td></tr>`)}</tbody></table>`;
}

export function dashboardPage(ctx: PageContext, view: DashboardView): Html {
  return layout(
    ctx,
    "Dashboard",
    "/dashboard",
    html`${lowBalanceWarning(view.balance, view.lowBalanceThreshold, view.currency)}
<section class="cards">
<div class="card"><h2>Balance</h2><p class="big" data-testid="balance">${money(view.balance, view.currency)}</p>${view.test ? html`<p class="hint">Test account: messages go to simulated carriers. <a href="/account">Go live</a></p>` : ""}<p><a href="/billing">Billing</a> · <a href="/send">Send a message</a></p></div>
<div class="card">${countsTable("Today", view.today)}</div>
<div class="card">${countsTable("This month", view.month)}</div>
</section>
<h2>Messages per day, last ${view.bars.length} days</h2>
<figure class="chart-box">${dailyChart(view.bars)}
<figcaption class="legend">${CHART_STATUSES.map(([status]) => html`<span><span class="dot ${status}"></span>${status}</span> `)}</figcaption></figure>`,
  );
}
