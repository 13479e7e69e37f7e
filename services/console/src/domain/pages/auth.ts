import { MIN_PASSWORD } from "../credentials-input.ts";
import { type Html, html } from "../html.ts";
import { csrfField, layout, type PageContext, problemList } from "./layout.ts";

export function signupPage(ctx: PageContext, email: string, problems: readonly string[]): Html {
  return layout(
    ctx,
    "Create your account",
    "/signup",
    html`<p>Free test credits to start: test accounts send to the simulated carriers only.</p>
${problemList(problems)}
<form method="post" action="/signup" class="stack">
${csrfField(ctx)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${email}">
<label for="password">Password <span class="hint">(at least ${MIN_PASSWORD} characters)</span></label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD}" required>
<button type="submit">Create account</button>
</form>
<p>Already have one? <a href="/login">Log in</a>.</p>`,
  );
}

export function loginPage(ctx: PageContext, email: string, problems: readonly string[]): Html {
  return layout(
    ctx,
    "Log in",
    "/login",
    html`${problemList(problems)}
<form method="post" action="/login" class="stack">
${csrfField(ctx)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${email}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>
<p>New here? <a href="/signup">Create an account</a>.</p>`,
  );
}

/** The answer to a locked email or client (log-in, or the password asked again). */
export function tooManyAttempts(waitMs: number): string {
  return `Too many attempts. Try again in ${Math.ceil(waitMs / 60_000)} minute(s).`;
}

export function errorPage(ctx: PageContext, status: number, title: string, text: string): Html {
  return layout(ctx, title, "", html`<p data-status="${status}">${text}</p>`);
}
