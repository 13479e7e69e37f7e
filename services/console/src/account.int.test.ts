import { signedUp } from "@smsgw/testkit";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PricingStack, startPricingStack } from "./testing/pricing-stack.ts";

// The account page over HTTP (going live, the low-balance threshold), against the real
// pricing (the owner of accounts and requests) as a process.
let stack: PricingStack;
let sql: postgres.Sql;
let base: string;

beforeAll(async () => {
  stack = await startPricingStack();
  sql = stack.sql;
  base = await stack.console();
});

afterAll(async () => {
  await stack?.stop();
});

const FORM = { company: "Acme OÜ", monthlyVolume: "50 000", useCase: "One-time passwords" };

async function auditOf(hash: string) {
  return sql<Array<{ action: string; actor: string }>>`
    select l.action, l.actor from pricing.audit_log l join pricing.accounts a using (account_id)
    where a.hash = ${hash} and l.action <> 'account.created' order by l.id`;
}

describe("the console's account page", () => {
  it("when the owner asks for live sending, it redirects to the pending state, and a second ask is refused", async () => {
    const { visitor, hash } = await signedUp(base, "live@example.com", "correct horse battery");
    const page = await visitor.get("/account");
    expect(page.text).toContain('data-state="test"');

    const asked = await visitor.post("/account/live", FORM);
    expect(asked.status).toBe(303);
    expect(asked.res.headers.get("location")).toBe("/account?asked=1");
    const pending = await visitor.get("/account?asked=1");
    expect(pending.text).toContain('data-state="pending"');
    expect(pending.text).not.toContain('action="/account/live"');

    // A form replayed (another tab) is refused by pricing and shown as a problem.
    const again = await visitor.post("/account/live", FORM);
    expect(again.status).toBe(409);
    expect(again.text).toContain("pending already");
    const audit = await auditOf(hash);
    expect(audit.filter((e) => e.action === "live.requested")).toEqual([
      { action: "live.requested", actor: expect.stringMatching(/^console:usr_/) },
    ]);
  });

  it("when the form is incomplete or has no CSRF token, nothing is asked", async () => {
    const { visitor, hash } = await signedUp(base, "live-bad@example.com", "correct horse battery");
    await visitor.get("/account");
    const wrong = await visitor.post("/account/live", { ...FORM, monthlyVolume: "lots" });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain("expected monthly volume");
    const forged = await visitor.post("/account/live", FORM, { csrf: false });
    expect(forged.status).toBe(403);
    expect(await auditOf(hash)).toEqual([]);
  });

  it("when the threshold is saved above the balance, the account page warns until it is cleared; a bad one is refused", async () => {
    const { visitor, hash } = await signedUp(base, "low@example.com", "correct horse battery");
    await visitor.get("/account");
    const bad = await visitor.post("/account/low-balance", { threshold: "0" });
    expect(bad.status).toBe(422);
    const saved = await visitor.post("/account/low-balance", { threshold: "1000" });
    expect(saved.status).toBe(303);
    expect((await visitor.get("/account")).text).toContain('data-testid="low-balance"');
    // (The dashboard's warning needs the message log: the browser test checks it.)
    await visitor.post("/account/low-balance", { threshold: "" });
    expect((await visitor.get("/account")).text).not.toContain('data-testid="low-balance"');
    expect((await auditOf(hash)).map((e) => e.action)).toEqual([
      "low_balance.threshold_set",
      "low_balance.threshold_set",
    ]);
  });
});
