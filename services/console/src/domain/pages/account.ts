import type { LiveRequestView } from "@smsgw/contracts";
import { money, when } from "../format.ts";
import { type Html, html } from "../html.ts";
import type { LiveFormInput } from "../live-form.ts";
import { csrfField, layout, type PageContext, problemList } from "./layout.ts";

export interface AccountView {
  test: boolean;
  balance: number;
  currency: string;
  /** The latest request for live sending, if any. */
  liveRequest: LiveRequestView | null;
  notice?: string;
  problems?: string[];
  /** What the going-live form had, when it is shown again with problems. */
  form?: LiveFormInput;
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

/** The account page: going live (state and form). */
export function accountPage(ctx: PageContext, view: AccountView): Html {
  return layout(
    ctx,
    "Account",
    "/account",
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}
${problemList(view.problems ?? [])}
<h2>Live sending</h2>
${liveState(view)}
<p>Balance: <span data-testid="account-balance">${money(view.balance, view.currency)}</span></p>
${liveForm(ctx, view)}`,
  );
}
