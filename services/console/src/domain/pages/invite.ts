import { MIN_PASSWORD } from "../credentials-input.ts";
import { type Html, html } from "../html.ts";
import type { InvitationState } from "../team.ts";
import { csrfField, layout, type PageContext, problemList } from "./layout.ts";

const CLOSED: Record<Exclude<InvitationState, "open">, string> = {
  unknown: "This invitation link is not known. Ask the account's owner for a new one.",
  used: "This invitation was used already. Log in, or ask the account's owner for a new one.",
  expired: "This invitation has expired. Ask the account's owner for a new one.",
};

/** The page an invitation link opens: the invitee chooses a password and joins. */
export function invitePage(
  ctx: PageContext,
  view: { state: InvitationState; email: string; role: string; action: string; problems: string[] },
): Html {
  if (view.state !== "open") {
    return layout(
      ctx,
      "Invitation",
      "",
      html`<p data-invitation="${view.state}">${CLOSED[view.state]}</p>`,
    );
  }
  return layout(
    ctx,
    "Join the team",
    "",
    html`<p>You are invited as <strong>${view.role}</strong> with the email <strong id="invite-email">${view.email}</strong>. Choose a password to join.</p>
${problemList(view.problems)}
<form method="post" action="${view.action}" class="stack">${csrfField(ctx)}
<label for="password">Password <span class="hint">(at least ${MIN_PASSWORD} characters)</span></label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD}" required>
<button type="submit">Join</button>
</form>`,
  );
}

/** The second step of a log-in with two-factor on. */
export function totpLoginPage(ctx: PageContext, problems: readonly string[]): Html {
  return layout(
    ctx,
    "Authenticator code",
    "/login",
    html`${problemList(problems)}
<form method="post" action="/login/totp" class="stack">${csrfField(ctx)}
<label for="login-code">The code your authenticator app shows</label>
<input id="login-code" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus>
<button type="submit">Log in</button>
</form>`,
  );
}
