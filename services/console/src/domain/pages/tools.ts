import type { FormattedPhone } from "@smsgw/phone-format";
import { type Html, html } from "../html.ts";
import { csrfField, layout, type PageContext, problemList } from "./layout.ts";

export function phonePage(
  ctx: PageContext,
  input: { number: string; country: string },
  result: FormattedPhone | null,
  problem: string | null,
): Html {
  return layout(
    ctx,
    "Phone formatter",
    "/tools/phone",
    html`<p>Turns a local or messy number into the international E.164 form the API wants (the same code as <code>GET /v1/phone/format</code>).</p>
<form method="get" action="/tools/phone" class="stack">
<label for="number">Number</label><input id="number" name="number" inputmode="tel" required value="${input.number}" placeholder="5678 9045">
<label for="country">Country (ISO code, for numbers without +)</label><input id="country" name="country" value="${input.country}" maxlength="2" placeholder="EE" autocapitalize="characters">
<button type="submit">Format</button>
</form>
${problem ? problemList([problem]) : ""}
${
  result
    ? html`<dl class="facts" aria-live="polite"><dt>E.164</dt><dd><code id="e164" data-testid="e164">${result.e164}</code> <button type="button" class="copy" data-copy="e164">Copy</button></dd>
<dt>Valid</dt><dd>${result.valid ? "yes" : `no: ${result.reason ?? ""}`}</dd>
<dt>Country</dt><dd>${result.country ?? "unknown"}</dd><dt>Type</dt><dd>${result.type ?? "unknown"}</dd>
<dt>International</dt><dd>${result.international}</dd><dt>National</dt><dd>${result.national}</dd></dl>`
    : ""
}`,
  );
}

export interface SendView {
  to: string;
  from: string;
  text: string;
  callbackUrl: string | null;
  problems: string[];
  result?: { messageId: string; parts: number; cost: string } | undefined;
}

export function sendPage(ctx: PageContext, view: SendView): Html {
  return layout(
    ctx,
    "Send a message",
    "/send",
    html`${problemList(view.problems)}
${view.result ? html`<p class="notice" role="status">Accepted: <a href="/messages/${view.result.messageId}">${view.result.messageId}</a>, ${view.result.parts} part(s), ${view.result.cost}.</p>` : ""}
<form method="post" action="/send" class="stack" id="send-form">
${csrfField(ctx)}
<label for="to">To</label><input id="to" name="to" inputmode="tel" required value="${view.to}" placeholder="+37256789045">
<label for="from">From (sender ID)</label><input id="from" name="from" required maxlength="15" value="${view.from}" placeholder="MyApp">
<label for="text">Text</label><textarea id="text" name="text" rows="5" required aria-describedby="parts">${view.text}</textarea>
<p id="parts" class="hint" aria-live="polite" data-part-counter="text">Parts are counted as you type.</p>
<label for="token">API token <span class="hint">(sent once to the API with this message, never stored; the console does not keep your token)</span></label>
<input id="token" name="token" type="password" autocomplete="off" required>
<p class="hint">Delivery reports go to the account's default callback URL: ${view.callbackUrl ?? "none set (set one under Credentials)"}.</p>
<button type="submit">Send</button>
</form>`,
  );
}
