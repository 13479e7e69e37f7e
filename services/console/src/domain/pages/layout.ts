import { type Html, html } from "../html.ts";
import type { Role } from "../roles.ts";

export interface PageContext {
  /** The signed-in user's email, or undefined on public pages. */
  email?: string;
  /** The CSRF token every form of the page carries. */
  csrf: string;
  /** The signed-in user's role (the server refuses what it may not do; links follow). */
  role?: Role;
  /** Two-factor is on: sensitive forms ask for a code too. */
  totp?: boolean;
  /** The password was typed again recently: sensitive forms ask for nothing. */
  confirmed?: boolean;
}

const NAV = [
  ["/dashboard", "Dashboard"],
  ["/messages", "Messages"],
  ["/send", "Send"],
  ["/inbound", "Inbound"],
  ["/numbers", "Numbers"],
  ["/opt-outs", "Opt-outs"],
  ["/billing", "Billing"],
  ["/credentials", "Credentials"],
  ["/keys", "API keys"],
  ["/smpp", "SMPP"],
  ["/account", "Account"],
  ["/team", "Team"],
  ["/security", "Security"],
  ["/tools/phone", "Phone formatter"],
] as const;

/**
 * The password (and code) a sensitive action asks for again: optional while a confirmation
 * of this session is recent (REAUTH_MINUTES), the code only with two-factor on.
 */
export function reauthFields(ctx: PageContext, id: string, why: string): Html {
  const hint = ctx.confirmed
    ? "(not needed: you confirmed it a moment ago)"
    : `(asked again: ${why})`;
  const code = ctx.totp
    ? html`<label for="${id}-code">Authenticator code</label>
<input id="${id}-code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}"${ctx.confirmed ? "" : html` required`}>`
    : "";
  return html`<label for="${id}-password">Current password <span class="hint">${hint}</span></label>
<input id="${id}-password" name="password" type="password" autocomplete="current-password"${ctx.confirmed ? "" : html` required`}>
${code}`;
}

/** The hidden field of every form (double-submit: it must equal the csrf cookie). */
export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

export function layout(ctx: PageContext, title: string, active: string, body: Html): Html {
  const nav = ctx.email
    ? html`<nav aria-label="Main"><ul>${NAV.filter(
        ([href]) => href !== "/team" || ctx.role === "owner",
      ).map(
        ([href, label]) =>
          html`<li><a href="${href}"${href === active ? html` aria-current="page"` : ""}>${label}</a></li>`,
      )}</ul><form method="post" action="/logout" class="logout">${csrfField(ctx)}<span class="who">${ctx.email}</span> <button type="submit">Log out</button></form></nav>`
    : html`<nav aria-label="Main"><ul><li><a href="/login"${active === "/login" ? html` aria-current="page"` : ""}>Log in</a></li><li><a href="/signup"${active === "/signup" ? html` aria-current="page"` : ""}>Sign up</a></li><li><a href="/tools/phone"${active === "/tools/phone" ? html` aria-current="page"` : ""}>Phone formatter</a></li></ul></nav>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · smsgw console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/console.css">
<script type="module" src="/static/console.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><a class="brand" href="${ctx.email ? "/dashboard" : "/"}">smsgw</a>${nav}</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** A value to copy (a secret shown once, an id), with its label and a Copy button. */
export function copyable(id: string, label: string, value: string): Html {
  return html`<div class="secret"><span class="label" id="${id}-label">${label}</span><code id="${id}" aria-labelledby="${id}-label">${value}</code><button type="button" class="copy" data-copy="${id}">Copy</button></div>`;
}

export function problemList(problems: readonly string[]): Html {
  if (problems.length === 0) return html``;
  return html`<div class="problems" role="alert"><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>`;
}
