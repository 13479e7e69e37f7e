import {
  AccountRecord,
  ConsoleAccountResponse,
  ConsoleCreateAccountResponse,
  ConsoleRequestLiveResponse,
  ConsoleSetLowBalanceThresholdResponse,
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
import { loadPricingConfig } from "./config.ts";
import { type StartedPricing, startPricing } from "./service.ts";
import { runCli } from "./testing/run-cli.ts";

// Going live (issue 22): the console asks (NATS), an operator answers (admin HTTP API or the
// CLI in its own process), and what ingress caches (the accounts bucket) follows. Each
// request, approval and decline is exactly one audit entry with the verified actor.
const log = createLogger("going-live-test", process.env.TEST_LOG_LEVEL ?? "silent");
const TOKEN = "admin-token-for-tests-0123456789";
let infra: TestInfra;
let pricing: StartedPricing;
let client: Nats;
let kv: KvCache<AccountRecord>;
let rpc: ReturnType<typeof consoleRpcSubjects>;

beforeAll(async () => {
  infra = await createTestInfra(
    {
      HEALTH_PORT: "0",
      ADMIN_PORT: "0",
      ADMIN_TOKEN: TOKEN,
      SWEEP_INTERVAL_MS: "600000",
    },
    { natsUser: "pricing" },
  );
  pricing = await startPricing(loadPricingConfig(infra.env), log);
  client = await connectNats(infra.env.NATS_URL ?? "", "going-live-test", log);
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

async function admin(
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: test answers are read as loose JSON
): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${pricing.adminPort}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

function cli(...args: string[]) {
  return runCli(infra.env, args);
}

const FORM = { company: "Acme OÜ", monthlyVolume: 50_000, useCase: "One-time passwords" };
const owner = (n: number) => ({ actor: `console:usr_${n}`, ip: "198.51.100.9" });

/** A console sign-up: a test account with 2 EUR of test credits. */
async function signUp() {
  const created = await ask(
    rpc.createAccount,
    { credits: 20_000, actor: "console:usr_x" },
    ConsoleCreateAccountResponse,
  );
  if (created.outcome !== "created") throw new Error(created.reason);
  return created.credentials;
}

async function requestLive(accountId: string, by = owner(1)) {
  return ask(rpc.requestLive, { accountId, form: FORM, by }, ConsoleRequestLiveResponse);
}

async function accountView(accountId: string) {
  const answer = await ask(rpc.account, { accountId }, ConsoleAccountResponse);
  if (answer.outcome !== "account") throw new Error(answer.reason);
  return answer.account;
}

const liveActions = async (accountId: string) =>
  (await pricing.accounts.audit(accountId)).filter((e) => e.action.startsWith("live."));

describe("going live", () => {
  it("when the owner asks, the request is pending, listed for operators and audited once", async () => {
    const { accountId } = await signUp();
    const asked = await requestLive(accountId);
    expect(asked).toMatchObject({
      outcome: "requested",
      request: { accountId, status: "pending", company: "Acme OÜ", monthlyVolume: 50_000 },
    });
    expect((await accountView(accountId)).liveRequest).toMatchObject({ status: "pending" });

    const listed = await admin("GET", "/admin/live-requests");
    expect(listed.status).toBe(200);
    expect(listed.json.requests.map((r: { accountId: string }) => r.accountId)).toContain(
      accountId,
    );
    const fromCli = await cli("accounts", "live-requests", "--json");
    expect(fromCli.code).toBe(0);
    expect(JSON.parse(fromCli.stdout).map((r: { accountId: string }) => r.accountId)).toContain(
      accountId,
    );

    expect(await liveActions(accountId)).toEqual([
      expect.objectContaining({
        action: "live.requested",
        actor: "console:usr_1",
        ip: "198.51.100.9",
      }),
    ]);
  });

  it("when asked twice while pending, the second is refused and not audited", async () => {
    const { accountId } = await signUp();
    await requestLive(accountId);
    const again = await requestLive(accountId);
    expect(again).toEqual({ outcome: "refused", reason: expect.stringContaining("pending") });
    expect(await liveActions(accountId)).toHaveLength(1);
  });

  it("when an operator approves over the admin API, the cached record is live and the balance, token and keys are kept", async () => {
    const credentials = await signUp();
    const { accountId, hash } = credentials;
    const key = {
      id: `key_${"1".repeat(20)}`,
      name: "backend",
      scopes: ["send" as const],
      allowedIps: [],
      secretSha256: "b".repeat(64),
    };
    await pricing.accounts.createApiKey(accountId, key, owner(1));
    const before = await waitFor(() => {
      const record = kv.get(hash);
      return record?.apiKeys?.length === 1 ? record : undefined;
    });
    expect(before.test).toBe(true);
    await requestLive(accountId);

    const approved = await admin("POST", `/admin/accounts/${accountId}/live/approve`);
    expect(approved.status).toBe(200);
    expect(approved.json.request).toMatchObject({ status: "approved", reason: null });
    expect(approved.json.account).toMatchObject({ test: false });

    const after = await waitFor(() => (kv.get(hash)?.test === false ? kv.get(hash) : undefined));
    expect(after).toMatchObject({
      tokenSha256: before.tokenSha256,
      apiKeys: before.apiKeys,
      status: "active",
    });
    const view = await accountView(accountId);
    expect(view).toMatchObject({
      test: false,
      balance: 20_000,
      liveRequest: { status: "approved" },
    });
    expect(await liveActions(accountId)).toEqual([
      expect.objectContaining({ action: "live.approved", actor: "admin-api" }),
      expect.objectContaining({ action: "live.requested", actor: "console:usr_1" }),
    ]);
    // Live now: asking again is refused, and approving again finds nothing pending.
    expect(await requestLive(accountId)).toMatchObject({ outcome: "refused" });
    expect((await admin("POST", `/admin/accounts/${accountId}/live/approve`)).status).toBe(404);
    expect(await liveActions(accountId)).toHaveLength(2);
  });

  it("when an operator declines with the CLI, the account stays test and the console sees the reason", async () => {
    const { accountId, hash } = await signUp();
    await requestLive(accountId);
    const noReason = await cli("accounts", "decline-live", "--name", accountId);
    expect(noReason.code).toBe(2);

    const declined = await cli(
      "accounts",
      "decline-live",
      "--name",
      accountId,
      "--reason",
      "Tell us your website",
      "--actor",
      "bob",
    );
    expect(declined.stderr).toBe("");
    expect(declined.code).toBe(0);
    const view = await accountView(accountId);
    expect(view).toMatchObject({
      test: true,
      balance: 20_000,
      liveRequest: { status: "declined", reason: "Tell us your website" },
    });
    expect(kv.get(hash)?.test).toBe(true);
    expect(await liveActions(accountId)).toEqual([
      expect.objectContaining({
        action: "live.declined",
        actor: "cli:bob",
        details: { reason: "Tell us your website" },
      }),
      expect.objectContaining({ action: "live.requested" }),
    ]);

    // Declined is not final: the owner may ask again, and the CLI approves this time.
    expect(await requestLive(accountId, owner(2))).toMatchObject({ outcome: "requested" });
    const approved = await cli("accounts", "approve-live", "--name", accountId, "--actor", "carol");
    expect(approved.code).toBe(0);
    await waitFor(() => kv.get(hash)?.test === false);
    expect((await accountView(accountId)).balance).toBe(20_000);
    expect((await liveActions(accountId)).map((e) => [e.action, e.actor])).toEqual([
      ["live.approved", "cli:carol"],
      ["live.requested", "console:usr_2"],
      ["live.declined", "cli:bob"],
      ["live.requested", "console:usr_1"],
    ]);
  });

  it("when the admin API declines without a reason, it answers 400 and nothing changes", async () => {
    const { accountId } = await signUp();
    await requestLive(accountId);
    const refused = await admin("POST", `/admin/accounts/${accountId}/live/decline`, {
      reason: " ",
    });
    expect(refused.status).toBe(400);
    expect((await accountView(accountId)).liveRequest).toMatchObject({ status: "pending" });
    expect(await liveActions(accountId)).toHaveLength(1);
  });
});

describe("the low-balance threshold", () => {
  it("when the owner sets it in the console and an operator over the admin API, the account shows it and each is one audit entry", async () => {
    const { accountId } = await signUp();
    const saved = await ask(
      rpc.setLowBalanceThreshold,
      { accountId, threshold: 5_000, by: owner(3) },
      ConsoleSetLowBalanceThresholdResponse,
    );
    expect(saved).toEqual({ outcome: "saved", threshold: 5_000 });
    expect((await accountView(accountId)).lowBalanceThreshold).toBe(5_000);

    const byOperator = await admin("PUT", `/admin/accounts/${accountId}/low-balance-threshold`, {
      threshold: "1.25",
    });
    expect(byOperator.status).toBe(200);
    expect(byOperator.json.lowBalanceThreshold).toBe(1.25);
    const refused = await admin("PUT", `/admin/accounts/${accountId}/low-balance-threshold`, {
      threshold: "0",
    });
    expect(refused.status).toBe(400);
    const cleared = await cli("accounts", "low-balance", "--name", accountId, "--clear");
    expect(cleared.code).toBe(0);
    expect((await accountView(accountId)).lowBalanceThreshold).toBeNull();

    const entries = (await pricing.accounts.audit(accountId)).filter(
      (e) => e.action === "low_balance.threshold_set",
    );
    expect(entries.map((e) => [e.actor, e.details.threshold])).toEqual([
      [expect.stringMatching(/^cli:/), null],
      ["admin-api", 12_500],
      ["console:usr_3", 5_000],
    ]);
  });
});
