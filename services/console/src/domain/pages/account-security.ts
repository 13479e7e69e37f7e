import type { SessionView } from "../../db/account-security.ts";
import { MIN_PASSWORD } from "../credentials-input.ts";
import { type Html, html } from "../html.ts";
import { copyable, csrfField, layout, type PageContext, problemList } from "./layout.ts";

export interface SecurityView {
  sessions: readonly SessionView[];
  /** This request's session (it is ended by logging out, not here). */
  currentSessionId: string;
  totpEnabled: boolean;
  /** On the answer to "Set up": the secret, shown this once, waiting for its first code. */
  enrolling?: { secret: string; uri: string };
  /** Two-factor cannot be set up (the operator has not given CONSOLE_SECRETS_KEY). */
  totpUnavailable: boolean;
  notice?: string;
  problems?: string[];
}

const when = (date: Date) => date.toISOString().slice(0, 16).replace("T", " ");

function totpSection(ctx: PageContext, view: SecurityView): Html {
  if (view.totpEnabled) {
    return html`<p id="totp-state">Two-factor authentication is <strong>on</strong>: log-in and sensitive actions ask for a code from your app.</p>
<form method="post" action="/security/totp/disable" class="stack">${csrfField(ctx)}
<label for="totp-off-password">Current password</label>
<input id="totp-off-password" name="password" type="password" autocomplete="current-password" required>
<label for="totp-off-code">Authenticator code</label>
<input id="totp-off-code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Turn two-factor off</button>
</form>`;
  }
  if (view.totpUnavailable) {
    return html`<p id="totp-state">Two-factor authentication is not available on this installation yet (the operator sets <code>CONSOLE_SECRETS_KEY</code>).</p>`;
  }
  if (view.enrolling) {
    return html`<div class="once" role="status"><p><strong>Add this key to your authenticator app now</strong> (paste the URI, or type the key). It is shown this once.</p>
${copyable("totp-secret", "Key", view.enrolling.secret)}
${copyable("totp-uri", "otpauth URI", view.enrolling.uri)}</div>
<form method="post" action="/security/totp/confirm" class="stack">${csrfField(ctx)}
<label for="totp-confirm-code">The code your app shows now</label>
<input id="totp-confirm-code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Turn two-factor on</button>
</form>`;
  }
  return html`<p id="totp-state">Two-factor authentication is <strong>off</strong>.</p>
<form method="post" action="/security/totp/start" class="stack">${csrfField(ctx)}
<label for="totp-on-password">Current password</label>
<input id="totp-on-password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Set up two-factor</button>
</form>`;
}

/** A user's own security: password, two-factor, sessions. */
export function securityPage(ctx: PageContext, view: SecurityView): Html {
  return layout(
    ctx,
    "Security",
    "/security",
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ""}
${problemList(view.problems ?? [])}
<h2>Two-factor authentication</h2>
${totpSection(ctx, view)}
<h2>Password</h2>
<form method="post" action="/security/password" class="stack">${csrfField(ctx)}
<label for="current-password">Current password</label>
<input id="current-password" name="password" type="password" autocomplete="current-password" required>
${ctx.totp ? html`<label for="password-code">Authenticator code</label><input id="password-code" name="code" inputmode="numeric" autocomplete="one-time-code" required>` : ""}
<label for="new-password">New password <span class="hint">(at least ${MIN_PASSWORD} characters; your other sessions end)</span></label>
<input id="new-password" name="newPassword" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD}" required>
<button type="submit">Change password</button>
</form>
<h2>Sessions</h2>
<div class="scroll"><table class="sessions"><caption class="sr-only">Your sessions, latest use first</caption><thead><tr><th scope="col">Device</th><th scope="col">From</th><th scope="col">Since (UTC)</th><th scope="col">Last seen</th><th scope="col">Ends</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
<tbody>${view.sessions.map(
      (s) =>
        html`<tr data-session="${s.sessionId}"><td>${s.userAgent ?? "unknown"}</td><td>${s.ip ?? "—"}</td><td>${when(s.createdAt)}</td><td>${when(s.lastSeenAt)}</td><td>${when(s.expiresAt)}</td><td>${
          s.sessionId === view.currentSessionId
            ? html`<span class="hint">this one</span>`
            : html`<form method="post" action="/security/sessions/${s.sessionId}/revoke" class="inline">${csrfField(ctx)}<button type="submit">End</button></form>`
        }</td></tr>`,
    )}</tbody></table></div>`,
  );
}
