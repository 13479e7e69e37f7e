import { createHash } from "node:crypto";
import {
  AccountRecord,
  ConsoleAccountResponse,
  ConsoleCreateAccountResponse,
  ConsoleLedgerResponse,
  ConsolePriceListResponse,
  ConsoleRotateSmppCredentialsResponse,
  ConsoleRotateTokenResponse,
  ConsoleRotateWebhookSecretResponse,
  ConsoleSetDefaultCallbackUrlResponse,
  consoleRpcSubjects,
  subjects as subjectsFor,
} from "@smsgw/contracts";
import {
  connectNats,
  createLogger,
  type KvCache,
  type Nats,
  startKvCache,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { loadPricingConfig } from "../config.ts";
import { type StartedPricing, startPricing } from "../service.ts";

const log = createLogger("pricing-console-test", "silent");
let infra: TestInfra;
let pricing: StartedPricing;
let client: Nats;
let kv: KvCache<AccountRecord>;
let rpc: ReturnType<typeof consoleRpcSubjects>;

beforeAll(async () => {
  infra = await createTestInfra({ HEALTH_PORT: "0" }, { natsUser: "pricing" });
  pricing = await startPricing(loadPricingConfig(infra.env), log);
  client = await connectNats(infra.env.NATS_URL ?? "", "pricing-console-test", log);
  kv = await startKvCache(client.nc, subjectsFor(infra.prefix).accountsBucket, AccountRecord, log);
  rpc = consoleRpcSubjects(infra.prefix);
});

afterAll(async () => {
  await kv?.stop();
  await client?.nc.close();
  await pricing?.stop();
  await infra?.cleanup();
});

async function ask<T>(subject: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
  const reply = await client.nc.request(subject, JSON.stringify(body), { timeout: 5_000 });
  return schema.parse(reply.json());
}

async function signUp() {
  const created = await ask(
    rpc.createAccount,
    { credits: 20_000, actor: "console:test" },
    ConsoleCreateAccountResponse,
  );
  if (created.outcome !== "created") throw new Error(created.reason);
  return created.credentials;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("console requests to pricing", () => {
  it("when the console signs up a customer, it gets a test account with its credits and a token that ingress can check", async () => {
    const credentials = await signUp();
    const account = await ask(
      rpc.account,
      { accountId: credentials.accountId },
      ConsoleAccountResponse,
    );
    expect(account).toMatchObject({
      outcome: "account",
      account: { hash: credentials.hash, test: true, balance: 20_000, status: "active" },
    });
    const record = await waitFor(() => kv.get(credentials.hash));
    expect(record.tokenSha256).toBe(sha256(credentials.token));
    expect(record.test).toBe(true);
  });

  it("when the token is rotated, the accounts bucket carries the new token's hash at once", async () => {
    const credentials = await signUp();
    const rotated = await ask(
      rpc.rotateToken,
      { accountId: credentials.accountId },
      ConsoleRotateTokenResponse,
    );
    if (rotated.outcome !== "rotated") throw new Error(rotated.reason);
    expect(rotated.token).not.toBe(credentials.token);
    await waitFor(() => kv.get(credentials.hash)?.tokenSha256 === sha256(rotated.token));

    const secret = await ask(
      rpc.rotateWebhookSecret,
      { accountId: credentials.accountId },
      ConsoleRotateWebhookSecretResponse,
    );
    if (secret.outcome !== "rotated") throw new Error(secret.reason);
    expect(secret.webhookSecret).toMatch(/^whsec_/);
    expect(secret.webhookSecret).not.toBe(credentials.webhookSecret);
  });

  it("when a console account's SMPP credentials are rotated, it gets a drawn system_id, keeps it on the next rotation, and the bucket carries only the password's hash", async () => {
    const credentials = await signUp();
    const before = await ask(
      rpc.account,
      { accountId: credentials.accountId },
      ConsoleAccountResponse,
    );
    expect(before).toMatchObject({ account: { smppSystemId: null } });
    const by = { actor: "console:usr_smpp", ip: "192.0.2.5" };
    const first = await ask(
      rpc.rotateSmppCredentials,
      { accountId: credentials.accountId, by },
      ConsoleRotateSmppCredentialsResponse,
    );
    if (first.outcome !== "rotated") throw new Error(first.reason);
    expect(first.systemId).toMatch(/^c[a-z0-9]{11}$/);
    expect(first.password).toMatch(/^[A-Za-z2-9]{8}$/);
    const record = await waitFor(() => kv.get(credentials.hash)?.smpp);
    expect(record.systemId).toBe(first.systemId);
    expect(record.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(record)).not.toContain(first.password);

    const second = await ask(
      rpc.rotateSmppCredentials,
      { accountId: credentials.accountId, by },
      ConsoleRotateSmppCredentialsResponse,
    );
    if (second.outcome !== "rotated") throw new Error(second.reason);
    expect(second.systemId).toBe(first.systemId);
    expect(second.password).not.toBe(first.password);
    const after = await ask(
      rpc.account,
      { accountId: credentials.accountId },
      ConsoleAccountResponse,
    );
    expect(after).toMatchObject({ account: { smppSystemId: first.systemId } });
    const audit = await pricing.accounts.audit(credentials.accountId);
    expect(
      audit.filter((e) => e.action !== "account.created").map((e) => [e.action, e.actor, e.ip]),
    ).toEqual([
      ["smpp_credentials.rotated", "console:usr_smpp", "192.0.2.5"],
      ["smpp_credentials.rotated", "console:usr_smpp", "192.0.2.5"],
    ]);
    const unknown = await ask(
      rpc.rotateSmppCredentials,
      { accountId: "acc_nobody" },
      ConsoleRotateSmppCredentialsResponse,
    );
    expect(unknown.outcome).toBe("error");
  });

  it("when the ledger is read in pages, each entry carries the balance right after it", async () => {
    const { accountId } = await signUp();
    await pricing.accounts.topUp(accountId, "1.5", "operator", "first");
    await pricing.accounts.adjust(accountId, "-0.25", "operator", "correction");
    await pricing.accounts.topUp(accountId, "3", "operator", "second");
    const first = await ask(rpc.ledger, { accountId, limit: 2 }, ConsoleLedgerResponse);
    if (first.outcome !== "ledger") throw new Error(first.reason);
    expect(first.balance).toBe(20_000 + 15_000 - 2_500 + 30_000);
    expect(first.entries.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ["topup", 30_000, 62_500],
      ["adjustment", -2_500, 32_500],
    ]);
    const second = await ask(
      rpc.ledger,
      { accountId, limit: 2, before: first.nextBefore },
      ConsoleLedgerResponse,
    );
    if (second.outcome !== "ledger") throw new Error(second.reason);
    expect(second.entries.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ["topup", 15_000, 35_000],
      ["topup", 20_000, 20_000],
    ]);
    expect(second.nextBefore).toBeNull();
  });

  it("when the ledger is read while money moves, every page's balanceAfter is the balance right after that entry (one snapshot)", async () => {
    const { accountId } = await signUp();
    let moving = true;
    const topUps = (async () => {
      for (let i = 0; i < 60; i++) await pricing.accounts.topUp(accountId, "0.01", "operator");
      moving = false;
    })();
    const pages: Array<Array<{ id: string; balanceAfter: number }>> = [];
    while (moving) {
      const page = await ask(rpc.ledger, { accountId, limit: 5 }, ConsoleLedgerResponse);
      if (page.outcome !== "ledger") throw new Error(page.reason);
      expect(page.entries[0]?.balanceAfter).toBe(page.balance);
      pages.push(page.entries);
    }
    await topUps;

    // Read again once nothing moves: the ledger is append-only, so this is the truth.
    const all = await ask(rpc.ledger, { accountId, limit: 200 }, ConsoleLedgerResponse);
    if (all.outcome !== "ledger") throw new Error(all.reason);
    const truth = new Map(all.entries.map((e) => [e.id, e.balanceAfter]));
    expect(pages.length).toBeGreaterThan(5);
    for (const page of pages) {
      expect(page.map((e) => [e.id, e.balanceAfter])).toEqual(
        page.map((e) => [e.id, truth.get(e.id)]),
      );
    }
  });

  it("when the price list is searched, it answers the matching prefixes; an unknown account is an error", async () => {
    const { accountId } = await signUp();
    const prices = await ask(rpc.priceList, { accountId, search: "EE" }, ConsolePriceListResponse);
    if (prices.outcome !== "prices") throw new Error(prices.reason);
    expect(prices.prices.length).toBeGreaterThan(0);
    expect(prices.prices.every((p) => p.country === "EE")).toBe(true);
    const unknown = await ask(rpc.priceList, { accountId: "acc_nobody" }, ConsolePriceListResponse);
    expect(unknown.outcome).toBe("error");
    const bad = await ask(rpc.ledger, { accountId, limit: 0 }, ConsoleLedgerResponse);
    expect(bad.outcome).toBe("error");
  });

  it("when a default callback URL is set, it is published to the accounts bucket; a guarded URL is refused; null clears it", async () => {
    const { accountId, hash } = await signUp();
    const url = "https://hooks.example.com/sms/reports?k=1";
    const saved = await ask(
      rpc.setDefaultCallbackUrl,
      { accountId, defaultCallbackUrl: url },
      ConsoleSetDefaultCallbackUrlResponse,
    );
    expect(saved).toEqual({ outcome: "saved", defaultCallbackUrl: url });
    await waitFor(() => kv.get(hash)?.defaultCallbackUrl === url || undefined);
    const account = await ask(rpc.account, { accountId }, ConsoleAccountResponse);
    expect(account).toMatchObject({ account: { defaultCallbackUrl: url } });

    // The test infra does not set WEBHOOK_ALLOW_PRIVATE: a loopback host is refused, as at acceptance.
    for (const refusedUrl of [
      "http://127.0.0.1:9000/hook",
      "https://u:p@example.com/",
      "ftp://x.y/",
    ]) {
      const refused = await ask(
        rpc.setDefaultCallbackUrl,
        { accountId, defaultCallbackUrl: refusedUrl },
        ConsoleSetDefaultCallbackUrlResponse,
      );
      expect(refused.outcome, refusedUrl).toBe("refused");
    }
    expect(kv.get(hash)?.defaultCallbackUrl).toBe(url);

    const cleared = await ask(
      rpc.setDefaultCallbackUrl,
      { accountId, defaultCallbackUrl: null },
      ConsoleSetDefaultCallbackUrlResponse,
    );
    expect(cleared).toEqual({ outcome: "saved", defaultCallbackUrl: null });
    await waitFor(() => (kv.get(hash)?.defaultCallbackUrl === undefined ? true : undefined));
    const other = await ask(
      rpc.setDefaultCallbackUrl,
      { accountId: "acc_nobody", defaultCallbackUrl: url },
      ConsoleSetDefaultCallbackUrlResponse,
    );
    expect(other.outcome).toBe("error");
  });
});
