import { Visitor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PricingStack, startPricingStack } from "./testing/pricing-stack.ts";

/**
 * Sessions and CSRF over real HTTP: a console as the local stack runs it (plain HTTP) and
 * one as behind HTTPS (COOKIE_SECURE=true; the test speaks HTTP to it, as the proxy would),
 * on one pricing and database.
 */
let stack: PricingStack;
let plain: string;
let secure: string;

beforeAll(async () => {
  stack = await startPricingStack();
  plain = await stack.console();
  secure = await stack.console({ COOKIE_SECURE: "true" });
});

afterAll(async () => {
  await stack?.stop();
});

async function signUp(base: string, email: string) {
  const visitor = new Visitor(base);
  await visitor.get("/signup");
  const page = await visitor.post("/signup", { email, password: "correct horse battery" });
  expect(page.status).toBe(201);
  return { visitor, page };
}

/** A form post with exactly these cookies and fields, as an attacker's page would make it. */
function rawPost(base: string, path: string, cookie: string, fields: Record<string, string>) {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

describe("CSRF tokens belong to the session", () => {
  it("when a logged-in browser posts a token that a planted csrf cookie matches, it is refused; the page's own token works", async () => {
    const { visitor } = await signUp(plain, "planted@example.com");
    const sid = visitor.cookies.get("console_sid") ?? "";
    // What a sibling subdomain or a plain-HTTP page could do: set console_csrf to its value.
    const forged = await rawPost(
      plain,
      "/credentials/callback",
      `console_sid=${sid}; console_csrf=planted-by-attacker`,
      { _csrf: "planted-by-attacker", callbackUrl: "https://attacker.example/hook" },
    );
    expect(forged.status).toBe(403);
    const own = await visitor.post("/credentials/callback", { callbackUrl: "" });
    expect(own.status).toBe(200);
  });

  it("when _csrf is as long as the token but in multi-byte characters, it is refused with 403, not an error", async () => {
    const visitor = new Visitor(plain);
    await visitor.get("/login");
    const odd = "é".repeat(visitor.csrf.length);
    const answer = await rawPost(plain, "/login", `console_csrf=${visitor.csrf}`, {
      _csrf: odd,
      email: "x@example.com",
      password: "whatever",
    });
    expect(answer.status).toBe(403);
  });

  it("when one session's token is posted with another session, it is refused", async () => {
    const first = await signUp(plain, "first-session@example.com");
    const second = await signUp(plain, "second-session@example.com");
    const crossed = await rawPost(
      plain,
      "/credentials/callback",
      `console_sid=${second.visitor.cookies.get("console_sid")}`,
      { _csrf: first.visitor.csrf, callbackUrl: "" },
    );
    expect(crossed.status).toBe(403);
  });
});

describe("cookies over HTTPS", () => {
  it("when COOKIE_SECURE is set, both cookies carry the __Host- prefix (Secure, Path=/, no Domain) and the pages work with them", async () => {
    const visitor = new Visitor(secure);
    const form = await visitor.get("/signup");
    expect(form.res.headers.getSetCookie()).toEqual([
      expect.stringMatching(
        /^__Host-console_csrf=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Secure$/,
      ),
    ]);
    const page = await visitor.post("/signup", {
      email: "https@example.com",
      password: "correct horse battery",
    });
    expect(page.status).toBe(201);
    const session = page.res.headers
      .getSetCookie()
      .find((c) => c.startsWith("__Host-console_sid="));
    expect(session).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
    expect(session).not.toMatch(/Domain=/i);
    expect((await visitor.get("/credentials")).status).toBe(200);
    expect((await visitor.post("/credentials/callback", { callbackUrl: "" })).status).toBe(200);
  });

  it("when COOKIE_SECURE is set, a cookie without the prefix opens no session", async () => {
    const { visitor } = await signUp(secure, "unprefixed@example.com");
    const sid = visitor.cookies.get("__Host-console_sid") ?? "";
    expect(sid).not.toBe("");
    const res = await fetch(`${secure}/credentials`, {
      headers: { cookie: `console_sid=${sid}` },
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login");
  });

  it("when COOKIE_SECURE is not set (the local stack over plain HTTP), the cookies keep their plain names", async () => {
    const { page } = await signUp(plain, "plain-http@example.com");
    const cookies = page.res.headers.getSetCookie().join("\n");
    expect(cookies).toMatch(/^console_sid=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/m);
    expect(cookies).not.toContain("Secure");
  });
});

describe("session lifetime", () => {
  const sessionOf = (email: string) =>
    stack.sql<Array<{ created_at: Date; expires_at: Date }>>`
      select s.created_at, s.expires_at from console.sessions s
      join console.users u using (user_id) where u.email = ${email}`;

  it("when a session is older than SESSION_MAX_HOURS (12), it opens nothing, however recently it was used", async () => {
    const { visitor } = await signUp(plain, "absolute@example.com");
    expect((await visitor.get("/credentials")).status).toBe(200);
    await stack.sql`
      update console.sessions set created_at = now() - interval '12 hours 1 minute'
      where user_id = (select user_id from console.users where email = 'absolute@example.com')`;
    const [row] = await sessionOf("absolute@example.com");
    expect(row?.expires_at.getTime()).toBeGreaterThan(Date.now());
    const page = await visitor.get("/credentials");
    expect(page.status).toBe(303);
    expect(page.res.headers.get("location")).toBe("/login");
  });

  it("when a session is used, its expiry slides but never past SESSION_MAX_HOURS after log-in", async () => {
    const { visitor } = await signUp(plain, "sliding@example.com");
    await stack.sql`
      update console.sessions set created_at = now() - interval '11 hours'
      where user_id = (select user_id from console.users where email = 'sliding@example.com')`;
    expect((await visitor.get("/credentials")).status).toBe(200);
    const [row] = await sessionOf("sliding@example.com");
    if (!row) throw new Error("no session");
    expect(row.expires_at.getTime()).toBe(row.created_at.getTime() + 12 * 3_600_000);
  });

  it("when SESSION_MAX_HOURS is below SESSION_IDLE_HOURS, the cookie lasts SESSION_MAX_HOURS", async () => {
    const base = await stack.console({ SESSION_IDLE_HOURS: "12", SESSION_MAX_HOURS: "2" });
    const { page } = await signUp(base, "short@example.com");
    const session = page.res.headers.getSetCookie().find((c) => c.startsWith("console_sid="));
    expect(session).toContain("Max-Age=7200");
  });

  it("when SESSION_IDLE_HOURS is below SESSION_MAX_HOURS, the cookie lasts until SESSION_MAX_HOURS and the server ends the idle session", async () => {
    const base = await stack.console({ SESSION_IDLE_HOURS: "1", SESSION_MAX_HOURS: "12" });
    const { visitor, page } = await signUp(base, "active@example.com");
    const session = page.res.headers.getSetCookie().find((c) => c.startsWith("console_sid="));
    // Set once, at log-in: a browser keeps it while the user is active, up to the limit.
    expect(session).toContain("Max-Age=43200");
    // Used 59 minutes after log-in: the session slides another hour.
    await stack.sql`
      update console.sessions set created_at = now() - interval '59 minutes',
        expires_at = now() + interval '1 minute'
      where user_id = (select user_id from console.users where email = 'active@example.com')`;
    expect((await visitor.get("/credentials")).status).toBe(200);
    const [row] = await sessionOf("active@example.com");
    expect(row?.expires_at.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    // Left idle past the hour: the cookie is still in the browser, the session is over.
    await stack.sql`
      update console.sessions set expires_at = now() - interval '1 second'
      where user_id = (select user_id from console.users where email = 'active@example.com')`;
    expect((await visitor.get("/credentials")).status).toBe(303);
  });
});

describe("rotation asks for the password again", () => {
  const tokenHashOf = async (email: string) => {
    const [row] = await stack.sql<Array<{ token_sha256: string; webhook_secret: string }>>`
      select a.token_sha256, a.webhook_secret from pricing.accounts a
      join console.users u on u.account_id = a.account_id where u.email = ${email}`;
    return row;
  };

  it("when a rotation comes with the session alone or a wrong password, nothing is rotated and no secret is shown", async () => {
    const { visitor } = await signUp(plain, "reauth@example.com");
    const before = await tokenHashOf("reauth@example.com");
    await visitor.get("/credentials");
    const bare = await visitor.post("/credentials/rotate-token", {});
    expect(bare.status).toBe(422);
    expect(bare.text).toContain("Type your current password to rotate.");
    const wrong = await visitor.post("/credentials/rotate-token", { password: "not my password" });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain("That is not your current password: nothing was rotated.");
    const secret = await visitor.post("/credentials/rotate-webhook-secret", { password: "nope" });
    expect(secret.status).toBe(403);
    for (const page of [bare, wrong, secret]) {
      expect(page.text).not.toContain('id="token"');
      expect(page.text).not.toContain('id="webhook-secret"');
    }
    expect(await tokenHashOf("reauth@example.com")).toEqual(before);
  });

  it("when the password is right, the token and the webhook secret are rotated and shown once", async () => {
    const { visitor } = await signUp(plain, "reauth-ok@example.com");
    const before = await tokenHashOf("reauth-ok@example.com");
    const password = "correct horse battery";
    const token = await visitor.post("/credentials/rotate-token", { password });
    expect(token.status).toBe(200);
    expect(token.text).toContain('id="token"');
    const secret = await visitor.post("/credentials/rotate-webhook-secret", { password });
    expect(secret.status).toBe(200);
    expect(secret.text).toContain('id="webhook-secret"');
    const after = await tokenHashOf("reauth-ok@example.com");
    expect(after?.token_sha256).not.toBe(before?.token_sha256);
    expect(after?.webhook_secret).not.toBe(before?.webhook_secret);
  });

  it("when wrong passwords are typed into the rotation form at once, they count as failed log-ins: exactly LOGIN_MAX_FAILURES are checked, then log-in is locked too", async () => {
    const base = await stack.console({ LOGIN_MAX_FAILURES: "3" });
    const { visitor } = await signUp(base, "guessing@example.com");
    await visitor.get("/credentials");
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        visitor.post("/credentials/rotate-token", { password: `guess number ${i}` }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 403)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const login = new Visitor(base);
    await login.get("/login");
    const locked = await login.post("/login", {
      email: "guessing@example.com",
      password: "correct horse battery",
    });
    expect(locked.status).toBe(429);
  });
});
