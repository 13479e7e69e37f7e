import type { AuditAction, AuditEntry } from "@smsgw/contracts";
import { money } from "../format.ts";
import { type Html, html } from "../html.ts";

const ACTIONS: Record<AuditAction, string> = {
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
  "price_override.set": "Price override set",
  "price_override.removed": "Price override removed",
  "member.invited": "Member invited",
  "member.joined": "Member joined",
  "member.role_changed": "Member's role changed",
  "member.removed": "Member removed",
  "member.invitation_revoked": "Invitation withdrawn",
  "password.changed": "Password changed",
  "totp.enrolled": "Two-factor turned on",
  "totp.disabled": "Two-factor turned off",
  "session.revoked": "Session ended",
};

/**
 * Who, in words: a member (by email while they are one), a credential of the API, an
 * operator's command, or an operator.
 */
export function actorOf(actor: string, names: ReadonlyMap<string, string>): string {
  if (actor.startsWith("console:")) return names.get(actor.slice(8)) ?? "former member";
  if (actor === "api:token") return "API, account token";
  if (actor.startsWith("api:")) return `API, key ${actor.slice(4)}`;
  if (actor.startsWith("cli:") || actor.startsWith("operator:")) {
    return `operator ${actor.slice(actor.indexOf(":") + 1)}`;
  }
  return "operator";
}

/**
 * What the change was about: a key (with its name), a member (their email), a prefix's price
 * (before and after), or nothing.
 */
function targetOf(entry: AuditEntry, names: ReadonlyMap<string, string>): Html | string {
  if (typeof entry.details.email === "string") return entry.details.email;
  if (entry.action === "price_override.set" || entry.action === "price_override.removed") {
    const { before, after, currency } = entry.details;
    return html`<code>${entry.target}</code>: ${priceOf(before, currency)} → ${priceOf(after, currency)}`;
  }
  if (entry.target && names.has(entry.target)) return names.get(entry.target) ?? "";
  if (!entry.target) return "—";
  const name = typeof entry.details.name === "string" ? ` (${entry.details.name})` : "";
  return html`<code>${entry.target}</code>${name}`;
}

/** An action's label; one this build does not know (a newer service wrote it) as it is named. */
function actionLabel(action: string): string {
  return Object.hasOwn(ACTIONS, action) ? ACTIONS[action as AuditAction] : action;
}

/** An override's price in money units; none (null) means the price list's applies. */
function priceOf(units: unknown, currency: unknown): string {
  return typeof units === "number" && typeof currency === "string"
    ? money(units, currency)
    : "list price";
}

/** An account's audit entries, newest first, as the keys and team pages show them. */
export function auditTable(
  entries: readonly AuditEntry[],
  names: ReadonlyMap<string, string>,
): Html {
  if (entries.length === 0) return html`<p>No changes yet.</p>`;
  return html`<div class="scroll"><table class="audit"><caption class="sr-only">Changes, newest first</caption><thead><tr><th scope="col">When (UTC)</th><th scope="col">What</th><th scope="col">About</th><th scope="col">By</th><th scope="col">From</th></tr></thead>
<tbody>${entries.map(
    (e) =>
      html`<tr data-audit="${e.action}"><td><time datetime="${e.at}">${e.at.slice(0, 19).replace("T", " ")}</time></td><td>${actionLabel(e.action)}</td><td>${targetOf(e, names)}</td><td>${actorOf(e.actor, names)}</td><td>${e.ip ?? "—"}</td></tr>`,
  )}</tbody></table></div>`;
}
