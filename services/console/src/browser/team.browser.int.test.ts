import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { type ServiceProcess, startServiceProcess } from "@smsgw/testkit";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "../domain/totp.ts";
import { type PricingStack, startPricingStack } from "../testing/pricing-stack.ts";
import { launchChromium, SHOTS } from "./chromium.ts";

/**
 * A team in a real headless Chromium: the owner invites a member as viewer, the member opens
 * the link in their own browser, chooses a password, turns two-factor on, logs out, logs in
 * with a code from "their app" (the same RFC 6238 computation), sees what a viewer may, and a
 * developer's action (creating an API key) is refused with 403 by the server. Pricing and the
 * event store run as processes (the dashboard reads the event store's tables). Saves
 * docs/console/team.png.
 */
const PASSWORD = "correct horse battery";
let stack: PricingStack;
let eventStore: ServiceProcess;
let browser: Browser;
let base: string;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startPricingStack();
  eventStore = await startServiceProcess("event-store", stack.infra.envOf("event-store"));
  base = await stack.console({ CONSOLE_SECRETS_KEY: randomBytes(32).toString("base64") });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await eventStore?.stop();
  await stack?.stop();
});

async function logIn(page: Page, email: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
}

describe("a team in the browser", () => {
  it("when the owner invites a viewer, the member joins, turns two-factor on, logs in with a code and may only read", async () => {
    const owner = await (await browser.newContext()).newPage();
    await owner.goto(`${base}/signup`);
    await owner.getByLabel("Email").fill("owner@team.example");
    await owner.getByLabel("Password").fill(PASSWORD);
    await owner.getByRole("button", { name: "Create account" }).click();
    await owner.waitForSelector("#token");

    await owner.getByRole("link", { name: "Team" }).click();
    await owner.getByLabel("Email").fill("viewer@team.example");
    await owner.getByLabel("Role", { exact: true }).selectOption("viewer");
    await owner.getByRole("button", { name: "Make an invitation link" }).click();
    const link = (await owner.textContent("#invite-link")) ?? "";
    expect(link).toContain("/invite/");

    const viewer = await (await browser.newContext()).newPage();
    await viewer.goto(link);
    expect(await viewer.textContent("#invite-email")).toBe("viewer@team.example");
    await viewer.getByLabel("Password").fill(PASSWORD);
    await viewer.getByRole("button", { name: "Join" }).click();
    await viewer.waitForURL(`${base}/dashboard`);

    await viewer.getByRole("link", { name: "Security" }).click();
    await viewer.locator("#totp-on-password").fill(PASSWORD);
    await viewer.getByRole("button", { name: "Set up two-factor" }).click();
    const secret = (await viewer.textContent("#totp-secret")) ?? "";
    expect(await viewer.textContent("#totp-uri")).toContain("otpauth://totp/");
    await viewer.getByLabel("The code your app shows now").fill(totpCode(secret, Date.now()));
    await viewer.getByRole("button", { name: "Turn two-factor on" }).click();
    expect(await viewer.textContent("#totp-state")).toContain("on");

    await viewer.getByRole("button", { name: "Log out" }).click();
    await logIn(viewer, "viewer@team.example");
    await viewer.waitForURL(`${base}/login/totp`);
    // The app's next code (the one used to enrol is spent).
    await viewer
      .getByLabel("The code your authenticator app shows")
      .fill(totpCode(secret, Date.now() + 30_000));
    await viewer.getByRole("button", { name: "Log in" }).click();
    await viewer.waitForURL(`${base}/dashboard`);

    // What a viewer sees: every page but Team; the keys page opens.
    const nav = await viewer.locator("nav a").allTextContents();
    expect(nav).toContain("API keys");
    expect(nav).not.toContain("Team");
    await viewer.getByRole("link", { name: "API keys" }).click();
    await viewer.getByLabel("Name").fill("ci");
    await viewer.getByLabel("Current password").fill(PASSWORD);
    await viewer.getByLabel("Authenticator code").fill(totpCode(secret, Date.now() + 30_000));
    const [answer] = await Promise.all([
      viewer.waitForResponse((r) => r.url() === `${base}/keys` && r.request().method() === "POST"),
      viewer.getByRole("button", { name: "Create key" }).click(),
    ]);
    expect(answer.status()).toBe(403);
    expect(await viewer.textContent("main")).toContain("Your role (viewer) does not allow this");
    const team = await viewer.goto(`${base}/team`);
    expect(team?.status()).toBe(403);

    await owner.goto(`${base}/team`);
    expect(await owner.textContent('tr[data-member="viewer@team.example"] [data-role]')).toBe(
      "viewer",
    );
    await owner.screenshot({ path: join(SHOTS, "team.png"), fullPage: true });
  }, 120_000);
});
