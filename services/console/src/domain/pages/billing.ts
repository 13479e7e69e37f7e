import type { ConsoleLedgerEntry } from "@smsgw/contracts";
import { money, when } from "../format.ts";
import { type Html, html } from "../html.ts";
import { layout, type PageContext } from "./layout.ts";

export interface BillingView {
  accountId: string;
  balance: number;
  currency: string;
  entries: ConsoleLedgerEntry[];
  nextBefore: string | null;
  search: string;
  prices: Array<{ prefix: string; country: string; pricePerPart: number; currency: string }>;
}

const KIND: Record<string, string> = {
  topup: "Top-up",
  charge: "Charge",
  refund: "Refund",
  adjustment: "Adjustment",
  transfer: "Transfer",
};

export function billingPage(ctx: PageContext, view: BillingView): Html {
  return layout(
    ctx,
    "Billing",
    "/billing",
    html`<p class="big" data-testid="balance">Balance: ${money(view.balance, view.currency)}</p>
<h2>How to top up</h2>
<p>Credit is prepaid. Ask us for a top-up quoting your account id <code>${view.accountId}</code>: an operator adds it with <code>bin/gw accounts top-up --name ${view.accountId} --credits 20</code> (or the pricing admin API), and it shows here at once. No payment provider is connected yet.</p>
<h2>Ledger</h2>
<div class="scroll"><table class="ledger"><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Amount</th><th scope="col">Balance after</th><th scope="col">Note</th></tr></thead>
<tbody>${view.entries.map(
      (e) =>
        html`<tr><td>${when(e.createdAt)}</td><td>${KIND[e.kind] ?? e.kind}${e.messageId ? html` <a href="/messages/${e.messageId}">${e.messageId}</a>` : ""}</td><td class="num ${e.amount < 0 ? "neg" : "pos"}">${money(e.amount, view.currency)}</td><td class="num">${money(e.balanceAfter, view.currency)}</td><td>${e.note}${e.reference ? html` <span class="ref">(ref <code>${e.reference}</code>)</span>` : ""}</td></tr>`,
    )}</tbody></table></div>
${view.nextBefore ? html`<p><a rel="next" href="/billing?before=${view.nextBefore}&amp;q=${encodeURIComponent(view.search)}">Older entries →</a></p>` : ""}
<h2 id="prices">Prices</h2>
<form method="get" action="/billing#prices" role="search" class="inline"><label for="q">Search by prefix or country</label> <input id="q" name="q" value="${view.search}" placeholder="+372 or EE"> <button type="submit">Search</button></form>
<div class="scroll"><table class="prices"><thead><tr><th scope="col">Prefix</th><th scope="col">Country</th><th scope="col">Per part</th></tr></thead>
<tbody>${view.prices.length === 0 ? html`<tr><td colspan="3">No price matches.</td></tr>` : view.prices.map((p) => html`<tr><td>${p.prefix}</td><td>${p.country}</td><td class="num">${money(p.pricePerPart, p.currency)}</td></tr>`)}</tbody></table></div>`,
  );
}
