import type { TestWebhookResponse } from "@smsgw/contracts";
import { type Html, html } from "../html.ts";
import { snippets } from "../snippets.ts";
import {
  copyable,
  csrfField,
  layout,
  type PageContext,
  problemList,
  reauthFields,
} from "./layout.ts";

export interface CredentialsView {
  hash: string;
  apiUrl: string;
  callbackUrl: string | null;
  /** Present only on the answer that created or rotated it: shown once. */
  token?: string;
  webhookSecret?: string;
  notice?: string;
  problems?: string[];
  /** The dispatcher's answer to "Send test webhook", on the page that asked. */
  testWebhook?: TestWebhookResponse;
}

/** What became of the test webhook, in a sentence and the attempt's facts. */
export function testWebhookResult(answer: TestWebhookResponse): Html {
  if (answer.outcome !== "attempted") {
    return html`<div id="test-webhook-result" class="problems" role="status"><p>Test webhook not sent: ${answer.reason}.</p></div>`;
  }
  const summary = answer.delivered
    ? "Delivered: your endpoint answered 2xx."
    : answer.httpStatus !== null
      ? "Not delivered: your endpoint answered with a status that is not 2xx (real reports would be retried)."
      : "Not delivered (real reports would be retried).";
  return html`<div id="test-webhook-result" class="${answer.delivered ? "notice" : "problems"}" role="status"><p>${summary}</p>
<dl class="facts"><dt>Endpoint</dt><dd>${answer.endpoint}</dd>
<dt>HTTP status</dt><dd id="test-webhook-status">${answer.httpStatus === null ? "none" : String(answer.httpStatus)}</dd>
<dt>Error</dt><dd>${answer.error ?? "none"}</dd>
<dt>Latency</dt><dd>${answer.latencyMs.toFixed(1)} ms</dd>
<dt>Test messageId</dt><dd><code>${answer.messageId}</code></dd></dl></div>`;
}

function snippetBlock(apiUrl: string, hash: string, token: string): Html {
  const s = snippets(apiUrl, hash, token);
  return html`<h2>Send a first message</h2>
${(["curl", "javascript", "python"] as const).map(
  (lang) =>
    html`<figure class="snippet"><figcaption>${lang === "curl" ? "curl" : lang === "javascript" ? "JavaScript (Node 18+)" : "Python (requests)"} <button type="button" class="copy" data-copy="snippet-${lang}">Copy</button></figcaption><pre><code id="snippet-${lang}">${s[lang]}</code></pre></figure>`,
)}`;
}

export function credentialsPage(ctx: PageContext, view: CredentialsView): Html {
  const shown = view.token
    ? html`<div class="once" role="status"><p><strong>Copy your token now.</strong> It is shown this once; we keep only a fingerprint of it. Lost it? Rotate it below.</p>
${copyable("hash", "API hash", view.hash)}
${copyable("token", "API token", view.token)}
${view.webhookSecret ? copyable("webhook-secret", "Webhook signing secret", view.webhookSecret) : ""}
</div>
${snippetBlock(view.apiUrl, view.hash, view.token)}`
    : html`${copyable("hash", "API hash", view.hash)}
<p class="secret"><span class="label">API token</span> hidden: it was shown when it was created. Rotate it to get a new one.</p>
${view.webhookSecret ? html`<div class="once" role="status">${copyable("webhook-secret", "New webhook signing secret", view.webhookSecret)}<p>The previous secret still signs alongside it for 24 hours.</p></div>` : ""}`;
  return layout(
    ctx,
    "API credentials",
    "/credentials",
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}
${problemList(view.problems ?? [])}
${shown}
<h2>Rotate</h2>
<form method="post" action="/credentials/rotate-token" class="stack">${csrfField(ctx)}
${reauthFields(ctx, "rotate", "the new token or secret is shown on this page")}
<button type="submit">Rotate API token</button>
<span class="hint">The old token stops working at once.</span>
<button type="submit" formaction="/credentials/rotate-webhook-secret">Rotate webhook secret</button>
<span class="hint">The old secret still signs alongside the new one for 24 hours.</span>
</form>
<h2>Default callback URL</h2>
<form method="post" action="/credentials/callback" class="stack">${csrfField(ctx)}
<label for="callbackUrl">Delivery reports of every message sent without its own callbackUrl (from this console or the API) go here</label>
<input id="callbackUrl" name="callbackUrl" type="url" value="${view.callbackUrl ?? ""}" placeholder="https://example.com/sms/reports">
<button type="submit">Save</button>
</form>
<h2>Test webhook</h2>
${view.testWebhook ? testWebhookResult(view.testWebhook) : ""}
<form method="post" action="/credentials/test-webhook" class="inline">${csrfField(ctx)}<button type="submit" id="send-test-webhook">Send test webhook</button> <span class="hint">One report marked <code>"test": true</code> (messageId <code>msg_test_…</code>), signed with your webhook secret, to the default callback URL${view.callbackUrl ? "" : " (set one first)"}. Real reports' attempts show on each message's page.</span></form>`,
  );
}
