import { randomBytes } from "node:crypto";
import { type AuthorizedNats, startAuthorizedNats, textOf, Visitor, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "./domain/totp.ts";
import { type PricingStack, startPricingStack } from "./testing/pricing-stack.ts";
import { auditOf, loggedIn, member, owner, PASSWORD, userIdOf } from "./testing/team.ts";

/**
 * Each user's own security over real HTTP, with pricing as a process: password change, TOTP
 * two-factor (enrol, log in with it, sensitive actions, off), sessions listed and ended,
 * re-authentication within REAUTH_MINUTES; one audit entry per change, with the verified actor.
 */
let stack: PricingStack;
let base: string;
let noKey: string;
/** The NATS of the console that reaches no pricing (the audit outbox's test). */
let nowhere: AuthorizedNats | undefined;
const KEY = randomBytes(32).toString("base64");

beforeAll(async () => {
  stack = await startPricingStack();
  // Wrong passwords and codes, and many sign-ups, from one address: the throttles have their
  // own tests.
  base = await stack.console({
    CONSOLE_SECRETS_KEY: KEY,
    LOGIN_MAX_FAILURES: "1000",
    SIGNUPS_PER_IP_HOUR: "1000",
    AUDIT_RETRY_MS: "300",
  });
  noKey = await stack.console();
});

afterAll(async () => {
  await stack?.stop();
  await nowhere?.stop();
});

/** Codes of later time steps, as the app would show them 30 s apart (a code is good once). */
const codeAt = (secret: string, steps: number) => totpCode(secret, Date.now() + steps * 30_000);

async function enrol(visitor: Visitor): Promise<string> {
  await visitor.get("/security");
  const started = await visitor.post("/security/totp/start", { password: PASSWORD });
  expect(started.status).toBe(200);
  const secret = textOf(started.text, "totp-secret");
  expect(textOf(started.text, "totp-uri")).toContain(`secret=${secret}`);
  const confirmed = await visitor.post("/security/totp/confirm", { code: codeAt(secret, 0) });
  expect(confirmed.status).toBe(303);
  return secret;
}

/** The code's time step forgotten, as if the next 30 s had come (a code is good once). */
async function nextStep(email: string) {
  await stack.sql`update console.users set totp_last_step = totp_last_step - 3 where email = ${email}`;
}

describe("password change", () => {
  it("when the current password is right, the new one works, the old one and other sessions do not, one audit entry", async () => {
    const me = await owner(base, stack.sql, "pw1@example.com");
    const other = await loggedIn(base, "pw1@example.com");
    await me.visitor.get("/security");
    const wrong = await me.visitor.post("/security/password", {
      password: "not my password",
      newPassword: "a brand new password",
    });
    expect(wrong.status).toBe(403);
    const changed = await me.visitor.post("/security/password", {
      password: PASSWORD,
      newPassword: "a brand new password",
    });
    expect(changed.status).toBe(200);
    expect((await me.visitor.get("/billing")).status).toBe(200);
    expect((await other.visitor.get("/billing")).status).toBe(303);
    expect((await loggedIn(base, "pw1@example.com")).answer.status).toBe(401);
    expect((await loggedIn(base, "pw1@example.com", "a brand new password")).answer.status).toBe(
      303,
    );
    expect(await auditOf(stack.sql, me.accountId, "password.changed")).toEqual([
      expect.objectContaining({ actor: `console:${me.userId}`, target: me.userId }),
    ]);
  });
});

describe("TOTP two-factor", () => {
  it("when a member enrols, the secret is stored sealed, log-in asks for the code, and a wrong or reused code opens nothing", async () => {
    const boss = await owner(base, stack.sql, "totp-owner@example.com");
    const { visitor } = await member(base, boss.visitor, "totp1@example.com", "developer");
    await visitor.get("/security");
    const started = await visitor.post("/security/totp/start", { password: PASSWORD });
    const secret = textOf(started.text, "totp-secret");
    const [row] = await stack.sql<Array<{ totp_pending: string }>>`
      select totp_pending from console.users where email = 'totp1@example.com'`;
    expect(row?.totp_pending).toMatch(/^sealed:v1:/);
    expect(row?.totp_pending).not.toContain(secret);
    expect((await visitor.post("/security/totp/confirm", { code: "000000" })).status).toBe(422);
    const first = codeAt(secret, 0);
    expect((await visitor.post("/security/totp/confirm", { code: first })).status).toBe(303);
    const id = await userIdOf(stack.sql, "totp1@example.com");
    expect(await auditOf(stack.sql, boss.accountId, "totp.enrolled")).toEqual([
      expect.objectContaining({ actor: `console:${id}`, target: id }),
    ]);

    const login = await loggedIn(base, "totp1@example.com");
    expect(login.answer.status).toBe(303);
    expect(login.answer.res.headers.get("location")).toBe("/login/totp");
    // The password alone opens no page.
    expect((await login.visitor.get("/billing")).status).toBe(303);
    await login.visitor.get("/login/totp");
    expect((await login.visitor.post("/login/totp", { code: "123456" })).status).toBe(401);
    // The code used to enrol is spent.
    expect((await login.visitor.post("/login/totp", { code: first })).status).toBe(401);
    const done = await login.visitor.post("/login/totp", { code: codeAt(secret, 1) });
    expect(done.status).toBe(303);
    expect(done.res.headers.get("location")).toBe("/dashboard");
    expect((await login.visitor.get("/billing")).status).toBe(200);

    // A sensitive action asks for the code too.
    await login.visitor.get("/keys");
    const noCode = await login.visitor.post("/keys", {
      name: "k",
      scopes: "send",
      password: PASSWORD,
    });
    expect(noCode.status).toBe(422);
    await nextStep("totp1@example.com");
    const withCode = await login.visitor.post("/keys", {
      name: "k",
      scopes: "send",
      password: PASSWORD,
      code: codeAt(secret, 0),
    });
    expect(withCode.status).toBe(200);
  });

  it("when two-factor is turned off, it takes the password and a code, with one audit entry", async () => {
    const me = await owner(base, stack.sql, "totp2@example.com");
    const secret = await enrol(me.visitor);
    await me.visitor.get("/security");
    await nextStep("totp2@example.com");
    const noCode = await me.visitor.post("/security/totp/disable", { password: PASSWORD });
    expect(noCode.status).toBe(422);
    const wrong = await me.visitor.post("/security/totp/disable", {
      password: PASSWORD,
      code: "000000",
    });
    expect(wrong.status).toBe(403);
    const off = await me.visitor.post("/security/totp/disable", {
      password: PASSWORD,
      code: codeAt(secret, 0),
    });
    expect(off.status).toBe(303);
    expect((await loggedIn(base, "totp2@example.com")).answer.res.headers.get("location")).toBe(
      "/dashboard",
    );
    expect(await auditOf(stack.sql, me.accountId, "totp.disabled")).toEqual([
      expect.objectContaining({ actor: `console:${me.userId}` }),
    ]);
    expect(await auditOf(stack.sql, me.accountId, "totp.enrolled")).toHaveLength(1);
  });

  it("when the key is rotated (the old one given as previous), the secrets are sealed again at start and codes still work", async () => {
    const me = await owner(base, stack.sql, "rotate1@example.com");
    const secret = await enrol(me.visitor);
    const sealed = async () =>
      (
        await stack.sql<Array<{ totp_secret: string }>>`
          select totp_secret from console.users where email = 'rotate1@example.com'`
      )[0]?.totp_secret ?? "";
    const before = await sealed();
    const rotated = await stack.console({
      CONSOLE_SECRETS_KEY: randomBytes(32).toString("base64"),
      CONSOLE_SECRETS_KEY_PREVIOUS: KEY,
    });
    const after = await sealed();
    // sealed:v1:<key id>:…: another key's id.
    expect(after.split(":")[2]).not.toBe(before.split(":")[2]);
    const login = await loggedIn(rotated, "rotate1@example.com");
    await login.visitor.get("/login/totp");
    const done = await login.visitor.post("/login/totp", { code: codeAt(secret, 1) });
    expect(done.res.headers.get("location")).toBe("/dashboard");
  });

  it("when the operator set no CONSOLE_SECRETS_KEY, two-factor cannot be turned on (409), and the page says why", async () => {
    const me = await owner(noKey, stack.sql, "totp3@example.com");
    const page = await me.visitor.get("/security");
    expect(page.text).toContain("CONSOLE_SECRETS_KEY");
    expect((await me.visitor.post("/security/totp/start", { password: PASSWORD })).status).toBe(
      409,
    );
  });

  it("when set-up comes with the session alone or a wrong password, no secret is drawn or shown", async () => {
    const me = await owner(base, stack.sql, "totp4@example.com");
    await me.visitor.get("/security");
    const bare = await me.visitor.post("/security/totp/start", {});
    expect(bare.status).toBe(422);
    const wrong = await me.visitor.post("/security/totp/start", { password: "not my password" });
    expect(wrong.status).toBe(403);
    for (const page of [bare, wrong]) expect(page.text).not.toContain('id="totp-secret"');
    const [row] = await stack.sql<Array<{ totp_pending: string | null }>>`
      select totp_pending from console.users where email = 'totp4@example.com'`;
    expect(row?.totp_pending).toBeNull();
  });

  it("when someone with the password logs in again between wrong codes, the codes lock at LOGIN_MAX_FAILURES all the same", async () => {
    // A console with the default limit (5), on the same database, behind one proxy: each
    // round comes from another address, so only the user's own count can stop it.
    const strict = await stack.console({ CONSOLE_SECRETS_KEY: KEY, TRUST_PROXY: "1" });
    const me = await owner(base, stack.sql, "totp5@example.com");
    const secret = await enrol(me.visitor);
    const statuses: number[] = [];
    for (let round = 0; round < 7; round++) {
      const thief = new Visitor(strict, { "x-forwarded-for": `198.51.100.${round}` });
      await thief.get("/login");
      const login = await thief.post("/login", { email: "totp5@example.com", password: PASSWORD });
      expect(login.status).toBe(303);
      await thief.get("/login/totp");
      const code = round < 6 ? "000000" : codeAt(secret, 1);
      statuses.push((await thief.post("/login/totp", { code })).status);
    }
    // Five wrong codes; then even the right one waits.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });
});

describe("sessions", () => {
  it("when a user ends another of their sessions, it opens nothing more; another user's session cannot be ended", async () => {
    const me = await owner(base, stack.sql, "ses1@example.com");
    const laptop = await loggedIn(base, "ses1@example.com");
    const page = await me.visitor.get("/security");
    expect(page.text).toContain("test browser of ses1@example.com");
    const [other] = await stack.sql<Array<{ session_id: string }>>`
      select session_id from console.sessions s join console.users u using (user_id)
      where u.email = 'ses1@example.com' and s.user_agent like 'test browser%'`;
    const stranger = await owner(base, stack.sql, "ses2@example.com");
    await stranger.visitor.get("/security");
    const theirs = await stranger.visitor.post(
      `/security/sessions/${other?.session_id}/revoke`,
      {},
    );
    expect(theirs.status).toBe(404);
    expect((await laptop.visitor.get("/billing")).status).toBe(200);
    const ended = await me.visitor.post(`/security/sessions/${other?.session_id}/revoke`, {});
    expect(ended.status).toBe(200);
    expect((await laptop.visitor.get("/billing")).status).toBe(303);
    expect(await auditOf(stack.sql, me.accountId, "session.revoked")).toEqual([
      expect.objectContaining({ actor: `console:${me.userId}`, target: other?.session_id }),
    ]);
    expect(await auditOf(stack.sql, stranger.accountId, "session.revoked")).toHaveLength(0);
  });
});

describe("re-authentication for secrets", () => {
  it("when the password was typed within REAUTH_MINUTES, a rotation asks nothing; older, it asks again", async () => {
    const me = await owner(base, stack.sql, "reauth1@example.com");
    await me.visitor.get("/credentials");
    expect((await me.visitor.post("/credentials/rotate-token", {})).status).toBe(422);
    expect(
      (await me.visitor.post("/credentials/rotate-token", { password: PASSWORD })).status,
    ).toBe(200);
    expect((await me.visitor.post("/credentials/rotate-token", {})).status).toBe(200);
    // A wrong password is refused even inside the window.
    expect(
      (await me.visitor.post("/credentials/rotate-token", { password: "wrong one!" })).status,
    ).toBe(403);
    await stack.sql`update console.sessions set reauth_at = now() - interval '11 minutes'
      where user_id = ${me.userId}`;
    expect((await me.visitor.post("/credentials/rotate-token", {})).status).toBe(422);
    expect(await auditOf(stack.sql, me.accountId, "token.rotated")).toHaveLength(2);
  });
});

describe("the audit outbox", () => {
  it("when pricing does not answer, the change is made and its entry reaches the log once, later", async () => {
    const me = await owner(base, stack.sql, "outbox1@example.com");
    // A console on the same database whose requests reach no pricing: a NATS of its own.
    nowhere = await startAuthorizedNats(stack.infra.prefix);
    const cut = await stack.console({ ...nowhere.envOf("console"), RPC_TIMEOUT_MS: "200" });
    const there = new Visitor(cut);
    for (const [name, value] of me.visitor.cookies) there.cookies.set(name, value);
    await there.get("/security");
    const changed = await there.post("/security/password", {
      password: PASSWORD,
      newPassword: "changed while cut off",
    });
    expect(changed.status).toBe(200);
    // The first console's relay finds the entry in the shared outbox and sends it.
    await waitFor(
      async () => (await auditOf(stack.sql, me.accountId, "password.changed")).length > 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await auditOf(stack.sql, me.accountId, "password.changed")).toEqual([
      expect.objectContaining({ actor: `console:${me.userId}` }),
    ]);
    expect(await stack.sql`select 1 from console.audit_outbox`).toHaveLength(0);
  });

  it("when pricing refuses an entry for good, it is set aside with the reason and the later entries of other accounts still reach the log", async () => {
    const me = await owner(base, stack.sql, "outbox2@example.com");
    const entry = (entryId: string, accountId: string) =>
      JSON.stringify({
        entryId,
        accountId,
        action: "session.revoked",
        by: { actor: `console:${me.userId}`, ip: null },
        target: "ses_test",
        details: {},
      });
    // The unknown account's entry first, at the head of the outbox.
    await stack.sql`
      insert into console.audit_outbox (entry_id, request, created_at) values
        ('aud_unknownaccount00001', ${entry("aud_unknownaccount00001", "acc_nobody")}::text::jsonb,
         now() - interval '1 minute'),
        ('aud_realaccount00000001', ${entry("aud_realaccount00000001", me.accountId)}::text::jsonb, now())`;
    // The relay's next pass (AUDIT_RETRY_MS) sends both.
    await waitFor(
      async () => (await auditOf(stack.sql, me.accountId, "session.revoked")).length > 0,
    );
    expect(await auditOf(stack.sql, me.accountId, "session.revoked")).toEqual([
      expect.objectContaining({ actor: `console:${me.userId}`, target: "ses_test" }),
    ]);
    const kept = await stack.sql<Array<{ entry_id: string; refused_reason: string | null }>>`
      select entry_id, refused_reason from console.audit_outbox where refused_at is not null`;
    expect(kept).toEqual([
      { entry_id: "aud_unknownaccount00001", refused_reason: "unknown account acc_nobody" },
    ]);
  });
});
