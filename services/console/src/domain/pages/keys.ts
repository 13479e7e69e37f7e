import {
  ALL_SCOPES,
  ALLOWED_IPS_PER_KEY,
  API_KEY_NAME_MAX,
  API_KEYS_PER_ACCOUNT,
  type ApiKeyView,
  type AuditEntry,
} from "@smsgw/contracts";
import { type Html, html } from "../html.ts";
import { csrfField, layout, type PageContext, problemList } from "./layout.ts";

export interface KeysView {
  keys: readonly ApiKeyView[];
  /** The latest changes to the account, newest first (the audit logs of pricing and inbound). */
  audit: readonly AuditEntry[];
  /** The numbers' and sender IDs' entries could not be read (the inbound service is down). */
  numbersAuditMissing?: boolean;
  /** The key just created, with its secret: shown once, on this answer only. */
  created?: { name: string; secret: string };
  notice?: string;
  problems?: string[];
  /** What the create form had, when it is shown again with problems. */
  form?: { name: string; scopes: readonly string[]; allowedIps: string };
}

const SCOPE_HINTS: Record<string, string> = {
  send: "send messages",
  read: "read messages, events, balance and prices",
  manage: "create and revoke API keys, change callback settings",
};

function keyRow(ctx: PageContext, key: ApiKeyView): Html {
  return html`<tr data-key="${key.id}"><td>${key.name}</td><td><code>${key.id}</code></td><td>${key.scopes.join(", ")}</td><td>${key.allowedIps.length > 0 ? key.allowedIps.join(", ") : "anywhere"}</td><td><time datetime="${key.createdAt}">${key.createdAt.slice(0, 16).replace("T", " ")}</time></td>
<td><form method="post" action="/keys/${key.id}/revoke" class="inline">${csrfField(ctx)}<button type="submit" aria-label="Revoke ${key.name}">Revoke</button></form></td></tr>`;
}

const ACTIONS: Record<AuditEntry["action"], string> = {
  "account.created": "Account created",
  "account.disabled": "Account disabled",
  "account.enabled": "Account enabled",
  "credits.topped_up": "Credits added",
  "credits.adjusted": "Balance adjusted",
  "webhook_secret.rotated": "Webhook secret rotated",
  "countries.blocked": "Countries blocked",
  "countries.unblocked": "Countries unblocked",
  "limits.set": "API limits set",
  "default_callback_url.set": "Default callback URL set",
  "subaccount.created": "Sub-account created",
  "credits.transferred": "Credits transferred",
  "number.taken": "Number taken",
  "number.released": "Number released",
  "number.inbound_url_set": "Inbound URL set",
  "sender_id.requested": "Sender ID requested",
  "sender_id.withdrawn": "Sender ID withdrawn",
  "sender_id.approved": "Sender ID approved",
  "sender_id.rejected": "Sender ID rejected",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "token.rotated": "Token rotated",
  "live.requested": "Live sending requested",
  "live.approved": "Live sending approved",
  "live.declined": "Live sending declined",
  "low_balance.threshold_set": "Low-balance threshold set",
  "smpp_credentials.rotated": "SMPP credentials rotated",
};

/** Who, in words: the console user, a credential of the API, or an operator. */
function actorOf(actor: string): string {
  if (actor.startsWith("console:")) return "console user";
  if (actor === "api:token") return "API, account token";
  if (actor.startsWith("api:")) return `API, key ${actor.slice(4)}`;
  return "operator";
}

function auditTable(entries: readonly AuditEntry[]): Html {
  if (entries.length === 0) return html`<p>No changes yet.</p>`;
  return html`<div class="scroll"><table class="audit"><caption class="sr-only">Changes, newest first</caption><thead><tr><th scope="col">When (UTC)</th><th scope="col">What</th><th scope="col">About</th><th scope="col">By</th><th scope="col">From</th></tr></thead>
<tbody>${entries.map(
    (e) =>
      html`<tr data-audit="${e.action}"><td><time datetime="${e.at}">${e.at.slice(0, 19).replace("T", " ")}</time></td><td>${ACTIONS[e.action]}</td><td>${e.target ? html`<code>${e.target}</code>${typeof e.details.name === "string" ? ` (${e.details.name})` : ""}` : "—"}</td><td>${actorOf(e.actor)}</td><td>${e.ip ?? "—"}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The account's API keys (api.md section 8): create with scopes, the secret once, revoke. */
export function keysPage(ctx: PageContext, view: KeysView): Html {
  const form = view.form ?? { name: "", scopes: ["send"], allowedIps: "" };
  const created = view.created
    ? html`<div class="once" role="status"><p><strong>Copy the secret of “${view.created.name}” now.</strong> It is shown this once; we keep only a fingerprint of it. Use it as the token, with your API hash.</p>
<div class="secret"><span class="label" id="key-secret-label">API key secret</span><code id="key-secret" aria-labelledby="key-secret-label">${view.created.secret}</code><button type="button" class="copy" data-copy="key-secret">Copy</button></div></div>`
    : "";
  const list =
    view.keys.length === 0
      ? html`<p id="no-keys">No API keys yet: your account token works everywhere.</p>`
      : html`<div class="scroll"><table class="keys"><caption class="sr-only">API keys, oldest first</caption><thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Scopes</th><th scope="col">Allowed from</th><th scope="col">Created (UTC)</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
<tbody>${view.keys.map((key) => keyRow(ctx, key))}</tbody></table></div>`;
  return layout(
    ctx,
    "API keys",
    "/keys",
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}
${problemList(view.problems ?? [])}
${created}
<p>Give each backend its own key with only the scopes it needs. To rotate without downtime: create a new key, move the backend to it, revoke the old one. A revoked key stops working everywhere within a second. Keys are for the HTTP API; SMPP uses <a href="/smpp">its own credentials</a>.</p>
${list}
<h2>Create a key</h2>
<form method="post" action="/keys" class="stack">${csrfField(ctx)}
<label for="key-name">Name <span class="hint">(what the key is for)</span></label>
<input id="key-name" name="name" maxlength="${String(API_KEY_NAME_MAX)}" required value="${form.name}">
<fieldset><legend>Scopes</legend>
${ALL_SCOPES.map(
  (scope) =>
    html`<div><label><input type="checkbox" name="scopes" value="${scope}"${form.scopes.includes(scope) ? html` checked` : ""}> <code>${scope}</code> <span class="hint">${SCOPE_HINTS[scope] ?? ""}</span></label></div>`,
)}
</fieldset>
<label for="key-ips">Allowed from <span class="hint">(optional: up to ${String(ALLOWED_IPS_PER_KEY)} IPv4 or IPv6 CIDRs, comma or space separated; empty for anywhere)</span></label>
<input id="key-ips" name="allowedIps" value="${form.allowedIps}" placeholder="203.0.113.0/24, 2001:db8::/32">
<label for="key-password">Current password <span class="hint">(asked again: the secret is shown on this page)</span></label>
<input id="key-password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Create key</button>
<span class="hint">An account holds at most ${String(API_KEYS_PER_ACCOUNT)} keys.</span>
</form>
<h2>Recent changes</h2>
<p class="hint">Keys, token, webhook secret and SMPP credential rotations, settings, credits, live sending, low-balance thresholds, numbers and sender IDs: by whom and from where, here, through the API or by an operator.</p>
${view.numbersAuditMissing ? html`<p class="notice" role="status">Changes to numbers and sender IDs cannot be shown just now; try again in a moment.</p>` : ""}
${auditTable(view.audit)}`,
  );
}
