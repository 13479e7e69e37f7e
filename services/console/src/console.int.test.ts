import { createHash } from "node:crypto";
import { createLogger } from "@smsgw/service-kit";
import {
  createTestInfra,
  freePort,
  type ServiceProcess,
  startServiceProcess,
  type TestInfra,
  textOf,
  Visitor,
} from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConsoleConfig } from "./config.ts";
import { type StartedConsole, startConsole } from "./service.ts";
import { seedProjection } from "./testing/seed-log.ts";

const log = createLogger("console-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let pricing: ServiceProcess;
let eventStore: ServiceProcess;
/** Pricing's admin API: what the test checks or does on the account, as an operator would. */
let admin: (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;
let consoleService: StartedConsole;
let sql: postgres.Sql;
let base: string;

beforeAll(async () => {
  // Every test signs up its own user, all from 127.0.0.1: more than the default ten an hour.
  infra = await createTestInfra(
    {
      HTTP_PORT: "0",
      HEALTH_PORT: "0",
      LOGIN_MAX_FAILURES: "3",
      SIGNUPS_PER_IP_HOUR: "50",
    },
    { natsUser: "console" },
  );
  eventStore = await startServiceProcess("event-store", infra.envOf("event-store"));
  const adminPort = await freePort();
  const adminToken = "console-test-admin-token";
  pricing = await startServiceProcess("pricing", {
    ...infra.envOf("pricing"),
    ADMIN_PORT: String(adminPort),
    ADMIN_TOKEN: adminToken,
  });
  admin = async (method, path, body) => {
    const res = await fetch(`http://127.0.0.1:${adminPort}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };
  consoleService = await startConsole(loadConsoleConfig(infra.env), log);
  sql = postgres(infra.database.url, { max: 2, onnotice: () => undefined });
  base = `http://127.0.0.1:${consoleService.port}`;
});

afterAll(async () => {
  await sql?.end();
  await consoleService?.stop();
  await pricing?.stop();
  await eventStore?.stop();
  await infra?.cleanup();
});

async function signUp(email: string) {
  const visitor = new Visitor(base);
  await visitor.get("/signup");
  const page = await visitor.post("/signup", { email, password: "correct horse battery" });
  expect(page.status).toBe(201);
  const hash = textOf(page.text, "hash");
  const token = textOf(page.text, "token");
  const [account] = await sql<Array<{ account_id: string }>>`
    select account_id from pricing.accounts where hash = ${hash}`;
  if (!account) throw new Error(`no account with hash ${hash}`);
  return { visitor, page, hash, token, accountId: account.account_id };
}

describe("the console over HTTP", () => {
  it("when someone signs up, they get a test account with credits, the token once, and an HttpOnly session", async () => {
    const { visitor, page, token, accountId } = await signUp("first@example.com");
    expect(token).toMatch(/.{20,}/);
    expect(textOf(page.text, "snippet-curl")).toContain(
      `-u '${textOf(page.text, "hash")}:${token}'`,
    );
    const cookies = page.res.headers.getSetCookie().join("\n");
    expect(cookies).toMatch(/console_sid=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    expect(page.res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.res.headers.get("cache-control")).toBe("no-store");
    expect((await admin("GET", `/accounts/${accountId}`)).test).toBe(true);
    const credentials = await visitor.get("/credentials");
    expect(credentials.status).toBe(200);
    expect(credentials.text).not.toContain(token);
    const dashboard = await visitor.get("/dashboard");
    expect(dashboard.text).toContain("1.00 EUR");
  });

  it("when a form is posted without its CSRF token, or from another origin, it is refused", async () => {
    const { visitor } = await signUp("csrf@example.com");
    const refused = await visitor.post("/credentials/rotate-token", {}, { csrf: false });
    expect(refused.status).toBe(403);
    const forged = await fetch(`${base}/credentials/rotate-token`, {
      method: "POST",
      headers: {
        cookie: [...visitor.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        origin: "https://evil.example",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: `_csrf=${visitor.csrf}`,
    });
    expect(forged.status).toBe(403);
  });

  it("when the token is rotated with the current password, the page shows the new one once and pricing no longer knows the old", async () => {
    const { visitor, token, hash } = await signUp("rotate@example.com");
    const rotated = await visitor.post("/credentials/rotate-token", {
      password: "correct horse battery",
    });
    expect(rotated.status).toBe(200);
    const fresh = textOf(rotated.text, "token");
    expect(fresh).not.toBe(token);
    expect(textOf(rotated.text, "hash")).toBe(hash);
    const [row] = await sql<Array<{ token_sha256: string }>>`
      select token_sha256 from pricing.accounts where hash = ${hash}`;
    expect(row?.token_sha256).toBe(createHash("sha256").update(fresh).digest("hex"));
  });

  it("when a default callback URL is saved, it is the account's (pricing has it); the gateway's guard refuses a loopback host", async () => {
    const { visitor, accountId } = await signUp("callback@example.com");
    const url = "https://hooks.example.com/sms?k=1";
    const saved = await visitor.post("/credentials/callback", { callbackUrl: url });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain("Callback URL saved.");
    expect((await admin("GET", `/accounts/${accountId}`)).defaultCallbackUrl).toBe(url);
    // This stack does not set WEBHOOK_ALLOW_PRIVATE: pricing judges it as ingress would.
    const refused = await visitor.post("/credentials/callback", {
      callbackUrl: "http://127.0.0.1:9000/hook",
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain("loopback");
    expect((await admin("GET", `/accounts/${accountId}`)).defaultCallbackUrl).toBe(url);
    const send = await visitor.get("/send");
    expect(send.text).toContain(url.replace("&", "&amp;"));
    // No dispatcher in this stack: the page says the test was not sent, never a 500.
    const test = await visitor.post("/credentials/test-webhook", {});
    expect(test.status).toBe(200);
    expect(test.text).toMatch(
      /id="test-webhook-result"[^>]*><p>Test webhook not sent: the webhook dispatcher did not answer/,
    );
    const cleared = await visitor.post("/credentials/callback", { callbackUrl: "" });
    expect(cleared.text).toContain("Callback URL removed.");
    expect((await admin("GET", `/accounts/${accountId}`)).defaultCallbackUrl).toBeNull();
  });

  it("when log-ins fail, the answer is the same for unknown and known emails, then throttled", async () => {
    await signUp("known@example.com");
    const visitor = new Visitor(base);
    await visitor.get("/login");
    const unknown = await visitor.post("/login", { email: "nobody@example.com", password: "x" });
    const wrong = await visitor.post("/login", { email: "known@example.com", password: "nope" });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.text.replace(/nobody@example.com/g, "")).toBe(
      wrong.text.replace(/known@example.com/g, ""),
    );
    await visitor.post("/login", { email: "known@example.com", password: "nope" });
    await visitor.post("/login", { email: "known@example.com", password: "nope" });
    const locked = await visitor.post("/login", {
      email: "known@example.com",
      password: "correct horse battery",
    });
    expect(locked.status).toBe(429);
    const other = new Visitor(base);
    await other.get("/login");
  });

  it("when a user logs out, the session no longer opens pages", async () => {
    const { visitor } = await signUp("out@example.com");
    expect((await visitor.post("/logout", {})).status).toBe(303);
    expect((await visitor.get("/dashboard")).status).toBe(303);
  });

  it("when another account asks for a message, it is not found; the owner sees it", async () => {
    const owner = await signUp("owner@example.com");
    const other = await signUp("other@example.com");
    const [messageId] = await seedProjection(sql, owner.accountId, 3);
    expect((await owner.visitor.get(`/messages/${messageId}`)).status).toBe(200);
    const stranger = await other.visitor.get(`/messages/${messageId}`);
    expect(stranger.status).toBe(404);
    expect(stranger.text).not.toContain(owner.accountId);
    const list = await other.visitor.get("/messages");
    expect(list.text).not.toContain(String(messageId));
  });

  it("when the log's export link is followed, the CSV holds every page of the filtered messages of that account only", async () => {
    const owner = await signUp("export@example.com");
    const ids = await seedProjection(sql, owner.accountId, 140);
    // Another account's messages (sign-ups are limited per address: no second user here).
    const strangers = await seedProjection(sql, "acc_export_stranger", 10);
    const page = await owner.visitor.get("/messages?status=failed&sender=Seed");
    const href = /href="([^"]*)" download data-testid="export-csv"/.exec(page.text)?.[1];
    expect(href).toBe("/messages/export.csv?status=failed&amp;sender=Seed");
    const csv = await owner.visitor.get(String(href).replaceAll("&amp;", "&"));
    expect(csv.status).toBe(200);
    expect(csv.res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.res.headers.get("content-disposition")).toMatch(/^attachment; filename=messages-/);
    const [header, ...records] = csv.text.trimEnd().split("\r\n");
    expect(header).toBe(
      "messageId,status,to,from,parts,cost,currency,createdAt,updatedAt,errorCode",
    );
    // seedProjection gives every seventh message, from the fifth, the status failed.
    const failed = ids.filter((_, i) => i % 7 === 4);
    expect(records.map((r) => r.split(",")[0])).toEqual(failed);
    expect(records.every((r) => r.split(",")[1] === "failed")).toBe(true);
    expect(csv.text).not.toContain(String(strangers[0]));
    const none = await owner.visitor.get("/messages/export.csv?sender=Nobody");
    expect(none.text).toBe(`${header}\r\n`);
    expect((await owner.visitor.get("/messages/export.csv?status=lost")).status).toBe(422);
  });

  it("when billing is opened, it shows the ledger with the balance after each entry and searches prices", async () => {
    const { visitor, accountId } = await signUp("billing@example.com");
    await admin("POST", `/accounts/${accountId}/top-up`, {
      credits: "2",
      note: "welcome top-up",
      reference: "inv-2026-001",
    });
    const page = await visitor.get("/billing?q=EE");
    expect(page.status).toBe(200);
    expect(page.text).toContain("welcome top-up");
    expect(page.text).toContain("(ref <code>inv-2026-001</code>)");
    expect(page.text).toContain("3.00 EUR");
    expect(page.text).toContain("+372");
    expect(page.text).not.toContain("+371<");
  });

  it("when the phone formatter is used without an account, it answers E.164", async () => {
    const page = await new Visitor(base).get("/tools/phone?number=5678%209045&country=EE");
    expect(page.status).toBe(200);
    expect(textOf(page.text, "e164")).toBe("+37256789045");
    const bad = await new Visitor(base).get("/tools/phone?number=12&country=ZZ");
    expect(bad.status).toBe(422);
  });

  it("when the live part counter loads, the splitter's modules are served as scripts", async () => {
    const res = await fetch(`${base}/static/sms-text/segment.ts`);
    expect(res.headers.get("content-type")).toContain("text/javascript");
    const text = await res.text();
    expect(text).toContain("export function countParts");
    expect(text).not.toContain("import type");
  });

  it("when the account has 10,000 messages, the log's first page comes back (time printed)", async () => {
    const { visitor, accountId } = await signUp("big@example.com");
    await seedProjection(sql, accountId, 10_000);
    await sql`analyze event_store.messages`;
    await visitor.get("/messages"); // warm: plans, connections
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const page = await visitor.get("/messages");
      times.push(performance.now() - started);
      expect(page.status).toBe(200);
      expect(page.text.match(/<tr><td>/g)).toHaveLength(50);
    }
    const filtered = await visitor.get("/messages?status=failed");
    expect(filtered.text).toContain("Older messages");
    const dashboard = performance.now();
    expect((await visitor.get("/dashboard")).status).toBe(200);
    const dashboardMs = performance.now() - dashboard;
    console.log(
      `console log with 10,000 messages: first page in ${Math.min(...times).toFixed(1)}-${Math.max(...times).toFixed(1)} ms; dashboard ${dashboardMs.toFixed(1)} ms`,
    );
  });
});

describe("the console's ports", () => {
  it("when /metrics, /readyz or /healthz is asked on the public port, it is not there; the health port answers them", async () => {
    for (const path of ["/metrics", "/readyz", "/healthz"]) {
      const res = await fetch(`${base}${path}`, { redirect: "manual" });
      const body = await res.text();
      expect(res.status, path).toBe(404);
      expect(body, path).not.toMatch(/smsgw_|"status":"ok"/);
    }
    const health = `http://127.0.0.1:${consoleService.healthPort}`;
    expect((await fetch(`${health}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${health}/metrics`)).text()).toMatch(/^# HELP smsgw_/m);
  });
});
