import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createLogger } from "@smsgw/service-kit";
import { waitFor } from "@smsgw/testkit";
import { type NpmPdu, type NpmSession, npmSmpp } from "@smsgw/testkit/npm-smpp";
import type { Browser, Page } from "playwright-core";
import postgres from "postgres";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The whole gateway in this process, as test/e2e starts it (its harness, reused as is).
import { type Gateway, startGateway } from "../../../../test/e2e/src/gateway.ts";
import { loadConsoleConfig } from "../config.ts";
import { type StartedConsole, startConsole } from "../service.ts";
import { seedProjection } from "../testing/seed-log.ts";
import { launchChromium, SHOTS } from "./chromium.ts";

/**
 * The console in a real headless Chromium against the whole gateway: sign up, copy the
 * credentials off the page, send through the public API over HTTP, watch the message reach
 * `delivered`, open its timeline; the phone formatter; another account gets 404; rotating
 * the token asks for the password again; a form without its CSRF token is refused; SMPP
 * credentials rotated on their page bind the npm `smpp` client; a number taken on the numbers
 * page receives an MO from the simulator that shows on the inbound page; an opt-out added and
 * removed. Saves the README's screenshots to docs/console/.
 */
const log = createLogger("console", process.env.TEST_LOG_LEVEL ?? "silent");
const ADMIN_TOKEN = "admin-token-for-the-browser-test";
const SIM_NUMBERS = ["+37250000001", "+37250000002"];
let gateway: Gateway;
let service: StartedConsole;
let browser: Browser;
let base: string;
let sql: postgres.Sql;
/** The developer's webhook endpoint: a real HTTP server on 127.0.0.1 answering 204. */
let receiver: Server;
let receiverUrl = "";
const received: Array<{ body: string; headers: IncomingHttpHeaders; url: string }> = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        body: Buffer.concat(chunks).toString("utf8"),
        headers: req.headers,
        url: req.url ?? "",
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // The admin API on: the operator approves going live through it, as in production.
  gateway = await startGateway(
    { ADMIN_TOKEN, ADMIN_PORT: "0" },
    { smppServer: true, inbound: true },
  );
  // The operator's inventory (bin/gw numbers add … simulator=true): sim-a's numbers.
  for (const number of SIM_NUMBERS) {
    await gateway.inbound?.numbers.put({
      number,
      carrierId: "sim-a",
      country: "EE",
      simulator: true,
    });
  }
  service = await startConsole(
    loadConsoleConfig({
      ...gateway.infra.env,
      INGRESS_URL: gateway.baseUrl,
      PUBLIC_SMPP_ADDRESS: `127.0.0.1:${gateway.smppServer?.port}`,
    }),
    log,
  );
  base = `http://127.0.0.1:${service.port}`;
  sql = postgres(gateway.infra.database.url, { max: 2, onnotice: () => undefined });
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await sql?.end();
  await service?.stop();
  await gateway?.stop();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

/** The report's JSON when it verifies with the secret (Standard Webhooks), else it throws. */
const verified = (secret: string, r: (typeof received)[number]) =>
  new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as Record<
    string,
    unknown
  >;

/** Runs in the page (a string: this file is typed for Node, not the DOM). */
const FIRST_PAINT = `new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const paint = list.getEntriesByName("first-contentful-paint")[0];
    if (paint) resolve(paint.startTime);
  }).observe({ type: "paint", buffered: true });
  // No paint entry (an old Chromium): the DOM being ready is the next best.
  setTimeout(() => resolve(performance.getEntriesByType("navigation")[0]?.domContentLoadedEventEnd ?? -1), 2000);
})`;

async function signUp(page: Page, email: string) {
  await page.goto(`${base}/signup`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForSelector("#token");
  return {
    hash: (await page.textContent("#hash")) ?? "",
    token: (await page.textContent("#token")) ?? "",
  };
}

describe("the console in a browser", () => {
  let messageId = "";

  it("when a developer signs up, sets a default callback URL, sends a test webhook and a message through the API, the test answer shows, the report arrives signed and the message shows delivered with its timeline", async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    const { hash, token } = await signUp(page, "dev@example.com");
    expect(hash).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(await page.textContent("#snippet-curl")).toContain(`${hash}:${token}`);
    const secret = (await page.textContent("#webhook-secret")) ?? "";
    expect(secret).toMatch(/^whsec_/);

    // The account's default callback URL, then a test webhook to it, answered on the page.
    await page.goto(`${base}/credentials`);
    await page.getByLabel(/Delivery reports of every message/).fill(`${receiverUrl}/reports`);
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForSelector("text=Callback URL saved.");
    // The dispatcher learns the URL from the accounts bucket a moment after pricing saved it.
    await waitFor(
      async () => {
        await page.getByRole("button", { name: "Send test webhook" }).click();
        return (await page.textContent("#test-webhook-result"))?.includes("Delivered") || undefined;
      },
      { timeoutMs: 15_000, what: "the test webhook's answer on the page" },
    );
    expect(await page.textContent("#test-webhook-status")).toBe("204");
    expect(await page.textContent("#test-webhook-result")).toMatch(/Latency[\s\S]*ms/);
    const test = received.find((r) => r.url === "/reports");
    if (!test) throw new Error("the receiver got no test webhook");
    expect(verified(secret, test)).toMatchObject({
      test: true,
      messageId: expect.stringMatching(/^msg_test_/),
    });

    const answer = await fetch(`${gateway.baseUrl}/v1/messages`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${hash}:${token}`).toString("base64")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ to: "+37256789045", from: "MyApp", text: "Hello from the console" }),
    });
    expect(answer.status).toBe(202);
    messageId = String(((await answer.json()) as { messageId: string }).messageId);

    await waitFor(
      async () => {
        await page.goto(`${base}/messages?status=delivered`);
        return (await page.locator(`a[href="/messages/${messageId}"]`).count()) > 0;
      },
      { timeoutMs: 30_000, what: `${messageId} delivered in the log` },
    );
    // Sent without a callbackUrl: its reports went to the account's default, signed.
    const report = await waitFor(
      () =>
        received
          .map((r) => verified(secret, r))
          .find((r) => r.messageId === messageId && r.status === "delivered"),
      { timeoutMs: 15_000, what: `the delivered report of ${messageId} at the default URL` },
    );
    expect(report.test).toBeUndefined();
    await page.click(`a[href="/messages/${messageId}"]`);
    expect(await page.textContent("[data-testid=status]")).toBe("delivered");
    const timeline = await page.locator("ol.timeline li strong").allTextContents();
    expect(timeline).toEqual(
      expect.arrayContaining([
        "Accepted",
        "Submitted to the network",
        "Receipt for part 1: delivered",
      ]),
    );
    // The public view (api.md section 7): neither the carrier nor routing's reasons show.
    const details = await page.locator("ol.timeline li").allTextContents();
    expect(details.some((t) => /sim-a|sim-b|matched|DELIVRD/.test(t))).toBe(false);
    await page.screenshot({ path: join(SHOTS, "message.png"), fullPage: true });

    // 10,000 more messages in the account (projection rows over 30 days): the log's first
    // paint as Chromium measures it, printed (the README quotes it), never asserted.
    const [account] = await sql<Array<{ account_id: string }>>`
      select account_id from pricing.accounts where hash = ${hash}`;
    await seedProjection(sql, account?.account_id ?? "", 10_000);
    await sql`analyze event_store.messages`;
    await page.goto(`${base}/messages`);
    const paints: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(`${base}/messages`);
      paints.push(Number(await page.evaluate(FIRST_PAINT)));
    }
    expect(await page.locator("table.log tbody tr").count()).toBe(50);
    console.log(
      `console: first contentful paint of the message log with 10,000 messages: ${paints.map((p) => p.toFixed(0)).join(", ")} ms`,
    );

    // The log's export takes its filters and every page of them, as a file download.
    await page.goto(`${base}/messages?status=failed`);
    // The viewport only: the filters, the export link and the first rows (the page is long).
    await page.screenshot({ path: join(SHOTS, "messages.png") });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("[data-testid=export-csv]"),
    ]);
    expect(download.suggestedFilename()).toMatch(/^messages-acc_.*\.csv$/);
    const exported = readFileSync(await download.path(), "utf8")
      .trimEnd()
      .split("\r\n");
    expect(exported[0]).toBe(
      "messageId,status,to,from,parts,cost,currency,createdAt,updatedAt,errorCode",
    );
    // seedProjection makes every seventh message failed: far more than a page of the log.
    expect(exported.length - 1).toBeGreaterThan(1_000);
    expect(exported.slice(1).every((line) => line.split(",")[1] === "failed")).toBe(true);

    await page.goto(`${base}/dashboard`);
    expect(await page.locator("svg.chart rect").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, "dashboard.png"), fullPage: true });
    await page.goto(`${base}/billing?q=EE`);
    expect(await page.textContent("table.ledger")).toContain("Charge");
    await page.screenshot({ path: join(SHOTS, "billing.png"), fullPage: true });

    // The send form counts parts with the gateway's splitter, loaded under the strict CSP.
    await page.goto(`${base}/send`);
    await page.getByLabel("Text").fill("ж".repeat(71));
    await expect.poll(() => page.textContent("#parts")).toContain("2 parts (UCS-2)");
    expect(errors, errors.join("\n")).toEqual([]);
    await context.close();
  });

  it("when the phone formatter is used without an account, 5678 9045 in EE becomes +37256789045", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
    await page.goto(`${base}/tools/phone`);
    await page.getByLabel("Number", { exact: true }).fill("5678 9045");
    await page.getByLabel("Country (ISO code, for numbers without +)").fill("EE");
    await page.getByRole("button", { name: "Format" }).click();
    expect(await page.textContent("[data-testid=e164]")).toBe("+37256789045");
    await page.close();
  });

  it("when another account opens the first one's message, it gets 404; rotating its token asks for its password; a form without its CSRF token is refused", async () => {
    // A phone's width: nothing on the pages is wider than the screen.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signUp(page, "someone-else@example.com");
    for (const path of [
      "/credentials",
      "/keys",
      "/smpp",
      "/dashboard",
      "/messages",
      "/billing",
      "/send",
      "/numbers",
      "/inbound",
      "/opt-outs",
    ]) {
      await page.goto(`${base}${path}`);
      const overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      expect(overflow, path).toBe(0);
    }
    const response = await page.goto(`${base}/messages/${messageId}`);
    expect(response?.status()).toBe(404);
    expect(await page.content()).not.toContain("Hello from the console");

    // Rotating the token asks for the password again: a wrong one rotates nothing.
    await page.goto(`${base}/credentials`);
    await page.getByLabel("Current password").fill("not my password");
    await page.getByRole("button", { name: "Rotate API token" }).click();
    expect(await page.textContent("[role=alert]")).toContain("nothing was rotated");
    expect(await page.locator("#token").count()).toBe(0);
    await page.getByLabel("Current password").fill("correct horse battery");
    await page.getByRole("button", { name: "Rotate API token" }).click();
    expect(await page.textContent("#token")).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await page.textContent("p.notice")).toContain("The previous token no longer works.");

    // The browser's own cookies, a POST without the form's _csrf field.
    const forged = await context.request.post(`${base}/credentials/rotate-token`, {
      form: { note: "no token" },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    await context.close();
  });

  it("when a send-only API key is made on the keys page, it sends through the API, cannot read the balance, and once revoked is refused", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const { hash } = await signUp(page, "keys-owner@example.com");
    await page.goto(`${base}/keys`);
    await page.getByLabel("Name").fill("billing backend");
    await page.getByLabel("Allowed from").fill("127.0.0.1, 2001:db8::/32");
    await page.getByLabel("Current password").fill("correct horse battery");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = (await page.textContent("#key-secret")) ?? "";
    expect(secret).toMatch(/^key_[0-9a-f]{20}\.[A-Za-z0-9_-]{43}$/);
    expect(await page.locator("table.keys tbody tr").count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, "keys.png"), fullPage: true });

    const basic = { authorization: `Basic ${Buffer.from(`${hash}:${secret}`).toString("base64")}` };
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${gateway.baseUrl}${path}`, { ...init, headers: { ...basic, ...init.headers } });
    const send = () =>
      api("/v1/messages", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ to: "+37256789045", from: "MyApp", text: "key" }),
      });
    // The key reaches ingress through the accounts bucket: within a second.
    await waitFor(async () => (await send()).status === 202, { what: "ingress to know the key" });
    expect((await api("/v1/balance")).status).toBe(403);

    await page.getByRole("button", { name: "Revoke billing backend" }).click();
    expect(await page.textContent("p.notice")).toContain("Key revoked.");
    expect(await page.locator("#no-keys").count()).toBe(1);
    await waitFor(async () => (await send()).status === 401, { what: "the revoked key refused" });
    await page.close();
  });

  it("when SMPP credentials are rotated on their page with the password, the shown system_id and password bind the npm smpp client and its submit_sm is answered with a msg_ id", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await signUp(page, "smpp-owner@example.com");
    await page.goto(`${base}/smpp`);
    expect(await page.locator("#no-smpp").count()).toBe(1);
    await page.getByLabel("Current password").fill("not my password");
    await page.getByRole("button", { name: "Create SMPP credentials" }).click();
    expect(await page.textContent("[role=alert]")).toContain("nothing was rotated");
    expect(await page.locator("#smpp-password").count()).toBe(0);
    await page.getByLabel("Current password").fill("correct horse battery");
    await page.getByRole("button", { name: "Create SMPP credentials" }).click();
    const systemId = (await page.textContent("#smpp-system-id")) ?? "";
    const password = (await page.textContent("#smpp-password")) ?? "";
    expect(systemId).toMatch(/^c[a-z0-9]{11}$/);
    expect(password).toMatch(/^[A-Za-z2-9]{8}$/);
    const port = gateway.smppServer?.port;
    expect(await page.textContent("#smpp-url")).toBe(
      `smpp://${systemId}:${password}@127.0.0.1:${port}`,
    );
    await page.screenshot({ path: join(SHOTS, "smpp.png"), fullPage: true });

    const sessions: NpmSession[] = [];
    const connect = () =>
      new Promise<NpmSession>((resolve, reject) => {
        const session = npmSmpp.connect({ url: `smpp://127.0.0.1:${port}` }, () =>
          resolve(session),
        );
        session.on("error", reject as (pdu: NpmPdu) => void);
        sessions.push(session);
      });
    try {
      // smpp-server learns the credentials from the accounts bucket a moment after pricing.
      const session = await waitFor(
        async () => {
          const candidate = await connect();
          const answer = await new Promise<NpmPdu>((resolve) =>
            candidate.bind_transceiver({ system_id: systemId, password }, resolve),
          );
          return answer.command_status === 0 ? candidate : undefined;
        },
        { what: "a bind with the credentials the page showed" },
      );
      const resp = await new Promise<NpmPdu>((resolve) =>
        session.submit_sm(
          {
            source_addr_ton: 5,
            source_addr: "MyApp",
            destination_addr: "37256789045",
            data_coding: 0,
            short_message: "Hello over SMPP",
          },
          resolve,
        ),
      );
      expect(resp.command_status).toBe(0);
      expect(String(resp.message_id)).toMatch(/^msg_/);
    } finally {
      for (const session of sessions) session.close();
    }
    // Shown once: the page afterwards names the system_id, never the password.
    await page.goto(`${base}/smpp`);
    expect(await page.textContent("#smpp-system-id")).toBe(systemId);
    expect(await page.content()).not.toContain(password);
    await page.goto(`${base}/keys`);
    expect(await page.locator('[data-audit="smpp_credentials.rotated"]').count()).toBe(1);
    await page.close();
  });

  it("when the owner asks for live sending and an operator approves it over the admin API, the account page shows the account live with its balance; a threshold above the balance shows the low-balance warning", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await signUp(page, "going-live@example.com");
    await page.goto(`${base}/account`);
    expect(await page.getAttribute("[data-testid=live-state]", "data-state")).toBe("test");
    const balance = await page.textContent("[data-testid=account-balance]");

    await page.getByLabel("Company name").fill("Acme OÜ");
    await page.getByLabel("Expected monthly volume").fill("50 000");
    await page.getByLabel("Use case").fill("One-time passwords for our app's log-in");
    await page.getByRole("button", { name: "Ask for live sending" }).click();
    expect(await page.textContent("p.notice")).toContain("your request for live sending");
    expect(await page.getAttribute("[data-testid=live-state]", "data-state")).toBe("pending");
    expect(await page.getByRole("button", { name: "Ask for live sending" }).count()).toBe(0);

    // The operator: the pending request is listed, and approved by account.
    const admin = (method: string, path: string) =>
      fetch(`http://127.0.0.1:${gateway.pricing.adminPort}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
    const pending = (await (await admin("GET", "/admin/live-requests")).json()) as {
      requests: Array<{ accountId: string; company: string }>;
    };
    const request = pending.requests.find((r) => r.company === "Acme OÜ");
    expect(request).toBeDefined();
    expect((await admin("POST", `/admin/accounts/${request?.accountId}/live/approve`)).status).toBe(
      200,
    );

    await page.goto(`${base}/account`);
    expect(await page.getAttribute("[data-testid=live-state]", "data-state")).toBe("live");
    expect(await page.locator("div.problems").count()).toBe(0);
    expect(await page.textContent("[data-testid=account-balance]")).toBe(balance);

    // A threshold above the balance: the account page and the dashboard warn.
    expect(await page.locator("[data-testid=low-balance]").count()).toBe(0);
    await page.getByLabel("Warn below").fill("2.50");
    await page.getByRole("button", { name: "Save threshold" }).click();
    expect(await page.textContent("p.notice")).toContain("Low-balance threshold saved.");
    expect(await page.textContent("[data-testid=low-balance]")).toContain("2.50 EUR");
    await page.screenshot({ path: join(SHOTS, "account.png"), fullPage: true });
    await page.goto(`${base}/dashboard`);
    expect(await page.locator("text=Test account").count()).toBe(0);
    expect(await page.locator("[data-testid=low-balance]").count()).toBe(1);
  });

  it("when a developer takes a number and a handset texts it through the simulator, the message shows on the inbound page and reaches the number's inbound URL; an opt-out is added and removed", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await signUp(page, "two-way@example.com");
    const secret = (await page.textContent("#webhook-secret")) ?? "";
    await page.goto(`${base}/numbers`);
    expect(await page.textContent("main")).toContain("simulator numbers only");
    await page.getByLabel("Country").fill("EE");
    await page.getByRole("button", { name: "Take number" }).click();
    const number = (await page.getAttribute("tr[data-number]", "data-number")) ?? "";
    expect(SIM_NUMBERS).toContain(number);
    expect(await page.textContent("p.notice")).toBe(`${number} is yours.`);
    await page.getByLabel(`Inbound URL of ${number}`, { exact: true }).fill(`${receiverUrl}/mo`);
    await page.getByRole("button", { name: `Save the inbound URL of ${number}` }).click();
    expect(await page.textContent("p.notice")).toBe(`Inbound URL of ${number} saved.`);
    await page.screenshot({ path: join(SHOTS, "numbers.png"), fullPage: true });

    // The simulator's MO command, over its SMPP bind to the connector (retried until bound).
    const text = "Is the <b>table</b> free at 8? & thanks";
    await waitFor(
      async () => {
        try {
          return (
            (await gateway.simulator.sendMo("sim-a", {
              from: "+37256789045",
              to: number,
              text,
            })) === 0
          );
        } catch {
          return undefined;
        }
      },
      { what: "an MO sent through sim-a" },
    );
    await waitFor(
      async () => {
        await page.goto(`${base}/inbound`);
        return (await page.locator("tr[data-inbound]").count()) > 0 || undefined;
      },
      { timeoutMs: 20_000, what: "the MO on the inbound page" },
    );
    // Shown as text, not markup.
    expect(await page.textContent("tr[data-inbound] td.text")).toBe(text);
    expect(await page.locator("tr[data-inbound] td.text b").count()).toBe(0);
    expect(await page.textContent("tr[data-inbound]")).toContain(number);
    await page.screenshot({ path: join(SHOTS, "inbound.png"), fullPage: true });
    const hook = await waitFor(() => received.find((r) => r.url === "/mo"), {
      timeoutMs: 20_000,
      what: "the MO at the number's inbound URL",
    });
    expect(verified(secret, hook)).toMatchObject({ type: "inbound", to: number, text });

    await page.goto(`${base}/opt-outs`);
    await page.getByLabel("Number").fill("+372 5678 9046");
    await page.getByRole("button", { name: "Add to the list" }).click();
    expect(await page.getAttribute("tr[data-opt-out]", "data-opt-out")).toBe("+37256789046");
    await page.screenshot({ path: join(SHOTS, "opt-outs.png"), fullPage: true });
    await page.getByRole("button", { name: "Remove +37256789046" }).click();
    expect(await page.textContent("p.notice")).toContain("+37256789046 removed");
    expect(await page.locator("#no-opt-outs").count()).toBe(1);

    await page.goto(`${base}/numbers`);
    await page.getByRole("button", { name: `Release ${number}` }).click();
    expect(await page.locator("#no-numbers").count()).toBe(1);
    expect(errors, errors.join("\n")).toEqual([]);
    await page.close();
  });
});
