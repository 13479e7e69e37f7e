import { createHash } from "node:crypto";
import { Visitor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PricingStack, startPricingStack } from "./testing/pricing-stack.ts";
import {
  auditOf,
  inviteLink,
  loggedIn,
  member,
  owner,
  PASSWORD,
  userIdOf,
} from "./testing/team.ts";

/**
 * Team members over real HTTP, with pricing (the audit log's keeper) as a process: the
 * invitation link, roles enforced on the server for pages and actions, the last owner kept,
 * and one audit entry per change with the verified actor.
 */
let stack: PricingStack;
let base: string;

beforeAll(async () => {
  stack = await startPricingStack();
  // Many owners sign up from one address here: the sign-up throttle has its own tests.
  base = await stack.console({ SIGNUPS_PER_IP_HOUR: "1000", LOGIN_MAX_FAILURES: "1000" });
});

afterAll(async () => {
  await stack?.stop();
});

describe("invitations", () => {
  it("when the owner invites, the link is shown once, kept as a digest, works once, and each step is audited", async () => {
    const boss = await owner(base, stack.sql, "owner1@example.com");
    const link = await inviteLink(boss.visitor, "viewer1@example.com", "viewer");
    const token = link.split("/invite/")[1] ?? "";
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [stored] = await stack.sql<Array<{ token_sha256: string }>>`
      select token_sha256 from console.invitations where email = 'viewer1@example.com'`;
    expect(stored?.token_sha256).toBe(createHash("sha256").update(token).digest("hex"));
    expect((await boss.visitor.get("/team")).text).not.toContain(token);

    const invitee = new Visitor(base);
    const shown = await invitee.get(`/invite/${token}`);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain("viewer1@example.com");
    const short = await invitee.post(`/invite/${token}`, { password: "short" });
    expect(short.status).toBe(422);
    const joined = await invitee.post(`/invite/${token}`, { password: PASSWORD });
    expect(joined.status).toBe(303);
    expect((await invitee.get("/billing")).status).toBe(200);

    const again = new Visitor(base);
    expect((await again.get(`/invite/${token}`)).status).toBe(410);
    await again.get("/login");
    expect((await again.post(`/invite/${token}`, { password: PASSWORD })).status).toBe(410);

    const newId = await userIdOf(stack.sql, "viewer1@example.com");
    const [row] = await stack.sql<Array<{ role: string; account_id: string }>>`
      select role, account_id from console.users where user_id = ${newId}`;
    expect(row).toEqual({ role: "viewer", account_id: boss.accountId });
    const invited = await auditOf(stack.sql, boss.accountId, "member.invited");
    expect(invited).toEqual([
      expect.objectContaining({
        actor: `console:${boss.userId}`,
        details: { email: "viewer1@example.com", role: "viewer" },
      }),
    ]);
    const joinedEntries = await auditOf(stack.sql, boss.accountId, "member.joined");
    expect(joinedEntries).toEqual([
      expect.objectContaining({ actor: `console:${newId}`, target: newId }),
    ]);
    expect(await stack.sql`select 1 from console.audit_outbox`).toHaveLength(0);
  });

  it("when an invitation has expired or is unknown, it opens nothing and makes no member", async () => {
    const boss = await owner(base, stack.sql, "owner2@example.com");
    const link = await inviteLink(boss.visitor, "late@example.com", "developer");
    await stack.sql`update console.invitations set expires_at = now() - interval '1 minute'
      where email = 'late@example.com'`;
    const path = new URL(link).pathname;
    const invitee = new Visitor(base);
    await invitee.get("/login");
    expect((await invitee.get(path)).status).toBe(410);
    expect((await invitee.post(path, { password: PASSWORD })).status).toBe(410);
    expect(await userIdOf(stack.sql, "late@example.com")).toBe("");
    expect((await invitee.get(`/invite/${"x".repeat(43)}`)).status).toBe(410);
    expect(await auditOf(stack.sql, boss.accountId, "member.joined")).toHaveLength(0);
  });

  it("when the invited email already logs in elsewhere, joining is refused and the link stays usable by nobody else", async () => {
    const boss = await owner(base, stack.sql, "owner3@example.com");
    await owner(base, stack.sql, "taken@example.com");
    const { path } = await member(base, boss.visitor, "fresh@example.com", "viewer").catch(() => ({
      path: "",
    }));
    expect(path).not.toBe("");
    const link = await inviteLink(boss.visitor, "taken@example.com", "viewer");
    const invitee = new Visitor(base);
    const linkPath = new URL(link).pathname;
    await invitee.get(linkPath);
    expect((await invitee.post(linkPath, { password: PASSWORD })).status).toBe(409);
    expect(await auditOf(stack.sql, boss.accountId, "member.joined")).toHaveLength(1);
  });
});

describe("withdrawing an invitation", () => {
  it("when the owner withdraws an open invitation, its link opens nothing; another account's owner cannot withdraw it", async () => {
    const boss = await owner(base, stack.sql, "owner11@example.com");
    const path = new URL(await inviteLink(boss.visitor, "withdrawn@example.com", "billing"))
      .pathname;
    const [row] = await stack.sql<Array<{ invitation_id: string }>>`
      select invitation_id from console.invitations where email = 'withdrawn@example.com'`;
    const other = await owner(base, stack.sql, "owner11b@example.com");
    await other.visitor.get("/team");
    const theirs = await other.visitor.post(`/team/invitations/${row?.invitation_id}/revoke`, {});
    expect(theirs.status).toBe(404);
    const listed = await boss.visitor.get("/team");
    expect(listed.text).toContain('data-invitation="withdrawn@example.com"');
    const gone = await boss.visitor.post(`/team/invitations/${row?.invitation_id}/revoke`, {});
    expect(gone.status).toBe(200);
    expect(gone.text).not.toContain('data-invitation="withdrawn@example.com"');
    const invitee = new Visitor(base);
    expect((await invitee.get(path)).status).toBe(410);
    expect(await auditOf(stack.sql, boss.accountId, "member.invitation_revoked")).toEqual([
      expect.objectContaining({
        actor: `console:${boss.userId}`,
        target: row?.invitation_id,
        details: { email: "withdrawn@example.com", role: "billing" },
      }),
    ]);
    expect(await auditOf(stack.sql, other.accountId, "member.invitation_revoked")).toHaveLength(0);
  });
});

describe("roles, enforced on the server", () => {
  it("when a viewer reads, every page opens; when it changes anything, 403 and nothing changes", async () => {
    const boss = await owner(base, stack.sql, "owner4@example.com");
    const { visitor } = await member(base, boss.visitor, "viewer4@example.com", "viewer");
    // (The dashboard and the log read the event store, which this stack does not run.)
    for (const page of ["/billing", "/keys", "/credentials", "/smpp", "/account"]) {
      expect((await visitor.get(page)).status, page).toBe(200);
    }
    const nav = await visitor.get("/billing");
    expect(nav.text).not.toContain('href="/team"');
    expect((await visitor.get("/team")).status).toBe(403);
    const refused = [
      ["/keys", { name: "x", scopes: "send", password: PASSWORD }],
      ["/credentials/rotate-token", { password: PASSWORD }],
      ["/smpp/rotate", { password: PASSWORD }],
      ["/credentials/callback", { callbackUrl: "" }],
      ["/account/low-balance", { threshold: "5" }],
      ["/account/live", { company: "x" }],
      ["/team/invite", { email: "x@example.com", role: "owner" }],
    ] as const;
    for (const [path, fields] of refused) {
      expect((await visitor.post(path, fields)).status, path).toBe(403);
    }
    const [keys] = await stack.sql<Array<{ api_keys: unknown[] }>>`
      select api_keys from pricing.accounts where account_id = ${boss.accountId}`;
    expect(keys?.api_keys).toEqual([]);
    // The security page is every member's own.
    expect((await visitor.get("/security")).status).toBe(200);
  });

  it("when a developer and a billing member act, each may do its own part only", async () => {
    const boss = await owner(base, stack.sql, "owner5@example.com");
    const dev = (await member(base, boss.visitor, "dev5@example.com", "developer")).visitor;
    const billing = (await member(base, boss.visitor, "billing5@example.com", "billing")).visitor;
    await dev.get("/keys");
    const key = await dev.post("/keys", { name: "ci", scopes: "send", password: PASSWORD });
    expect(key.status).toBe(200);
    expect((await dev.post("/account/low-balance", { threshold: "5" })).status).toBe(403);
    expect((await dev.get("/team")).status).toBe(403);
    await billing.get("/account");
    expect((await billing.post("/account/low-balance", { threshold: "5" })).status).toBe(303);
    expect(
      (await billing.post("/keys", { name: "x", scopes: "send", password: PASSWORD })).status,
    ).toBe(403);
    // A key made by a member is audited as that member.
    const devId = await userIdOf(stack.sql, "dev5@example.com");
    expect(await auditOf(stack.sql, boss.accountId, "api_key.created")).toEqual([
      expect.objectContaining({ actor: `console:${devId}` }),
    ]);
  });

  it("when the owner changes a role, the member's next request has it, with one audit entry", async () => {
    const boss = await owner(base, stack.sql, "owner6@example.com");
    const { visitor } = await member(base, boss.visitor, "dev6@example.com", "developer");
    const id = await userIdOf(stack.sql, "dev6@example.com");
    await visitor.get("/keys");
    await boss.visitor.get("/team");
    const changed = await boss.visitor.post(`/team/members/${id}/role`, { role: "viewer" });
    expect(changed.status).toBe(200);
    expect(
      (await visitor.post("/keys", { name: "x", scopes: "send", password: PASSWORD })).status,
    ).toBe(403);
    expect(await auditOf(stack.sql, boss.accountId, "member.role_changed")).toEqual([
      expect.objectContaining({
        actor: `console:${boss.userId}`,
        target: id,
        details: { email: "dev6@example.com", from: "developer", to: "viewer" },
      }),
    ]);
    // The team page lists the change, naming both members.
    const listed = await boss.visitor.get("/team");
    expect(listed.text).toMatch(
      /data-audit="member\.role_changed">(?:(?!<\/tr>).)*dev6@example\.com(?:(?!<\/tr>).)*owner6@example\.com/,
    );
    // Another account's owner cannot touch this member.
    const other = await owner(base, stack.sql, "owner6b@example.com");
    await other.visitor.get("/team");
    expect((await other.visitor.post(`/team/members/${id}/role`, { role: "owner" })).status).toBe(
      404,
    );
    expect((await other.visitor.post(`/team/members/${id}/remove`, {})).status).toBe(404);
  });

  it("when the last owner would be demoted or removed, it is refused; with a second owner it is not", async () => {
    const boss = await owner(base, stack.sql, "owner7@example.com");
    await boss.visitor.get("/team");
    const demote = await boss.visitor.post(`/team/members/${boss.userId}/role`, { role: "viewer" });
    expect(demote.status).toBe(409);
    expect((await boss.visitor.post(`/team/members/${boss.userId}/remove`, {})).status).toBe(409);
    const second = await member(base, boss.visitor, "owner7b@example.com", "owner");
    expect(
      (await boss.visitor.post(`/team/members/${boss.userId}/role`, { role: "billing" })).status,
    ).toBe(200);
    // Now the second owner is the last one.
    const secondId = await userIdOf(stack.sql, "owner7b@example.com");
    await second.visitor.get("/team");
    expect((await second.visitor.post(`/team/members/${secondId}/remove`, {})).status).toBe(409);
    expect(await auditOf(stack.sql, boss.accountId, "member.role_changed")).toHaveLength(1);
    expect(await auditOf(stack.sql, boss.accountId, "member.removed")).toHaveLength(0);
  });

  it("when the owner removes a member, their sessions end at once and one audit entry says who", async () => {
    const boss = await owner(base, stack.sql, "owner8@example.com");
    const { visitor } = await member(base, boss.visitor, "gone8@example.com", "developer");
    const second = await loggedIn(base, "gone8@example.com");
    const id = await userIdOf(stack.sql, "gone8@example.com");
    await boss.visitor.get("/team");
    const team = await boss.visitor.get("/team");
    expect(team.text).toContain("test browser of gone8@example.com");
    expect((await boss.visitor.post(`/team/members/${id}/remove`, {})).status).toBe(200);
    expect((await visitor.get("/billing")).status).toBe(303);
    expect((await second.visitor.get("/billing")).status).toBe(303);
    expect((await loggedIn(base, "gone8@example.com")).answer.status).toBe(401);
    expect(await auditOf(stack.sql, boss.accountId, "member.removed")).toEqual([
      expect.objectContaining({
        actor: `console:${boss.userId}`,
        target: id,
        details: { email: "gone8@example.com", role: "developer" },
      }),
    ]);
  });

  it("when two owners demote each other at the same moment, one change is made and the account keeps an owner", async () => {
    const boss = await owner(base, stack.sql, "owner9@example.com");
    const second = await member(base, boss.visitor, "owner9b@example.com", "owner");
    const secondId = await userIdOf(stack.sql, "owner9b@example.com");
    await boss.visitor.get("/team");
    await second.visitor.get("/team");
    const answers = await Promise.all([
      boss.visitor.post(`/team/members/${secondId}/role`, { role: "viewer" }),
      second.visitor.post(`/team/members/${boss.userId}/role`, { role: "viewer" }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const owners = await stack.sql`select 1 from console.users
      where account_id = ${boss.accountId} and role = 'owner'`;
    expect(owners).toHaveLength(1);
    expect(await auditOf(stack.sql, boss.accountId, "member.role_changed")).toHaveLength(1);
  });
});

describe("an invitation used twice at once", () => {
  it("when two browsers accept the same link at the same moment, one member is made and one joined entry written", async () => {
    const boss = await owner(base, stack.sql, "owner10@example.com");
    const path = new URL(await inviteLink(boss.visitor, "race@example.com", "viewer")).pathname;
    const browsers = [new Visitor(base), new Visitor(base)];
    for (const b of browsers) await b.get(path);
    const answers = await Promise.all(browsers.map((b) => b.post(path, { password: PASSWORD })));
    expect(answers.map((a) => a.status).sort()).toEqual([303, 410]);
    expect(
      await stack.sql`select 1 from console.users where email = 'race@example.com'`,
    ).toHaveLength(1);
    expect(await auditOf(stack.sql, boss.accountId, "member.joined")).toHaveLength(1);
  });
});
