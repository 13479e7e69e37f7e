import { type LiveRequestView, toDecimal } from "@smsgw/contracts";
import { money, when } from "../format.ts";
import { type Html, html } from "../html.ts";
import type { LiveFormInput } from "../live-form.ts";
import { isLowBalance } from "../low-balance.ts";
import { csrfField, layout, type PageContext, problemList } from "./layout.ts";

export interface AccountView {
  test: boolean;
  balance: number;
  currency: string;
  /** Money units; null: no warnings. */
  lowBalanceThreshold: number | null;
  /** The latest request for live sending, if any. */
  liveRequest: LiveRequestView | null;
  notice?: string;
  problems?: string[];
  /** What the going-live form had, when it is shown again with problems. */
  form?: LiveFormInput;
  /** What the threshold form had, when it is shown again with a problem. */
  thresholdText?: string;
}

/** Where the account stands: live, asked (pending), declined with the reason, or test. */
function liveState(view: AccountView): Html {
  const request = view.liveRequest;
  if (!view.test) {
    return html`<p class="state live" data-testid="live-state" data-state="live"><strong>Your account is live.</strong> Messages go to real carriers and are charged to your balance.</p>`;
  }
  if (request?.status === "pending") {
    return html`<p class="state pending" data-testid="live-state" data-state="pending"><strong>Your request for live sending is pending</strong> (asked ${when(request.requestedAt)}). An operator will review it; your balance, token and keys stay as they are.</p>`;
  }
  if (request?.status === "declined") {
    return html`<div class="state declined" data-testid="live-state" data-state="declined"><p><strong>Your request for live sending was declined</strong> (${when(request.decidedAt)}).</p><p>Reason: <span data-testid="decline-reason">${request.reason ?? ""}</span></p><p>You may ask again with more detail.</p></div>`;
  }
  return html`<p class="state test" data-testid="live-state" data-state="test"><strong>Test account:</strong> messages go to simulated carriers. Ask for live sending to reach real phones.</p>`;
}

function liveForm(ctx: PageContext, view: AccountView): Html {
  const canAsk = view.test && view.liveRequest?.status !== "pending";
  if (!canAsk) return html``;
  const form = view.form ?? { company: "", monthlyVolume: "", useCase: "" };
  return html`<h2>Ask for live sending</h2>
<p class="hint">An operator reviews each request. When approved, your account goes live with its balance, token, API keys and settings unchanged.</p>
<form method="post" action="/account/live" class="stack">${csrfField(ctx)}
<label for="live-company">Company name</label>
<input id="live-company" name="company" maxlength="200" required autocomplete="organization" value="${form.company}">
<label for="live-volume">Expected monthly volume <span class="hint">(messages a month)</span></label>
<input id="live-volume" name="monthlyVolume" inputmode="numeric" required value="${form.monthlyVolume}" placeholder="50000">
<label for="live-use-case">Use case <span class="hint">(what you send, to whom, how recipients opted in)</span></label>
<textarea id="live-use-case" name="useCase" maxlength="2000" rows="4" required>${form.useCase}</textarea>
<button type="submit">Ask for live sending</button>
</form>`;
}

/** The warning shown while the balance is below the account's threshold (dashboard too). */
export function lowBalanceWarning(
  balance: number,
  threshold: number | null,
  currency: string,
): Html {
  if (threshold === null || !isLowBalance(balance, threshold)) return html``;
  return html`<p class="problems" role="alert" data-testid="low-balance">Your balance (${money(balance, currency)}) is below your low-balance threshold of ${money(threshold, currency)}. Ask us to top up your account so sending does not stop.</p>`;
}

function thresholdForm(ctx: PageContext, view: AccountView): Html {
  const current =
    view.thresholdText ??
    (view.lowBalanceThreshold === null ? "" : String(toDecimal(view.lowBalanceThreshold)));
  return html`<h2>Low-balance warning</h2>
<p class="hint">When a message takes your balance below this amount, we show a warning here and on the dashboard, and POST one signed <code>"type": "balance"</code> webhook to your default callback URL (set on the Credentials page). Once per crossing: again only after a top-up brings the balance back above it.</p>
<form method="post" action="/account/low-balance" class="stack">${csrfField(ctx)}
<label for="low-balance-threshold">Warn below <span class="hint">(${view.currency}; empty for no warnings)</span></label>
<input id="low-balance-threshold" name="threshold" inputmode="decimal" value="${current}" placeholder="5.00">
<button type="submit">Save threshold</button>
</form>`;
}

/** The account page: going live (state and form) and the low-balance threshold. */
export function accountPage(ctx: PageContext, view: AccountView): Html {
  return layout(
    ctx,
    "Account",
    "/account",
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}
${problemList(view.problems ?? [])}
${lowBalanceWarning(view.balance, view.lowBalanceThreshold, view.currency)}
<h2>Live sending</h2>
${liveState(view)}
<p>Balance: <span data-testid="account-balance">${money(view.balance, view.currency)}</span></p>
${liveForm(ctx, view)}
${thresholdForm(ctx, view)}`,
  );
}
