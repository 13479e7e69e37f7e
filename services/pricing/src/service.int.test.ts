import { createHash } from "node:crypto";
import {
  AccountRecord,
  AuthorizeResponse,
  newMessageId,
  subjects as subjectsFor,
  WebhookSecretsRecord,
} from "@smsgw/contracts";
import {
  connectNats,
  createLogger,
  type KvCache,
  type Nats,
  startKvCache,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPricingConfig } from "./config.ts";
import { type StartedPricing, startPricing } from "./service.ts";

const log = createLogger("pricing-test", "silent");
let infra: TestInfra;
let pricing: StartedPricing;
/** A second replica on the same database and subjects: requests are shared between both. */
let replica: StartedPricing;
let client: Nats;
let sql: postgres.Sql;
let accounts: KvCache<AccountRecord>;

beforeAll(async () => {
  // Small batches so that a burst spans several transactions on both replicas.
  infra = await createTestInfra(
    { HEALTH_PORT: "0", AUTHORIZE_MAX_BATCH: "32" },
    { natsUser: "pricing" },
  );
  const config = loadPricingConfig(infra.env);
  pricing = await startPricing(config, log);
  replica = await startPricing(config, log);
  client = await connectNats(infra.env.NATS_URL ?? "", "pricing-test", log);
  sql = postgres(infra.database.url, { max: 2, onnotice: () => undefined });
  accounts = await startKvCache(
    client.nc,
    subjectsFor(infra.prefix).accountsBucket,
    AccountRecord,
    log,
  );
});

afterAll(async () => {
  await accounts?.stop();
  await client?.nc.close();
  await sql?.end();
  await replica?.stop();
  await pricing?.stop();
  await infra?.cleanup();
});

async function authorize(request: Record<string, unknown>): Promise<AuthorizeResponse> {
  const reply = await client.nc.request(
    subjectsFor(infra.prefix).authorize,
    JSON.stringify(request),
    { timeout: 10_000 },
  );
  return AuthorizeResponse.parse(reply.json());
}

const sms = (accountId: string, extra: Record<string, unknown> = {}) => ({
  messageId: newMessageId(),
  accountId,
  to: "+37256789045",
  country: "EE",
  parts: 1,
  ...extra,
});

async function balanceOf(accountId: string): Promise<number> {
  const [row] = await sql<
    { balance: string }[]
  >`select balance from pricing.accounts where account_id = ${accountId}`;
  return Number(row?.balance);
}

async function chargesOf(accountId: string) {
  return sql<
    { message_id: string; amount: string }[]
  >`select message_id, amount from pricing.ledger where account_id = ${accountId} and kind = 'charge'`;
}

describe("authorize", () => {
  it("when the same message id is asked twice at once and again later, it is charged once", async () => {
    const { accountId } = await pricing.accounts.createAccount({ name: "once", credits: "1" });
    const request = sms(accountId, { parts: 2 });
    const [first, second] = await Promise.all([authorize(request), authorize(request)]);
    const later = await authorize(request);
    // The same answer each time, its publishBy (ADR 0022) the first charge's to the millisecond.
    const charged = {
      outcome: "charged",
      amount: 840,
      currency: "EUR",
      pricePerPart: 420,
      publishBy: expect.any(String),
    };
    expect([first, second, later]).toEqual([charged, charged, charged]);
    expect(new Set([first, second, later].map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await chargesOf(accountId)).toEqual([{ message_id: request.messageId, amount: "-840" }]);
    expect(await balanceOf(accountId)).toBe(10_000 - 840);
  });

  it("when 200 requests of one account arrive at once and the balance covers 150, exactly 150 are charged", async () => {
    const { accountId } = await pricing.accounts.createAccount({
      name: "burst",
      credits: 150 * 420,
    });
    const answers = await Promise.all(Array.from({ length: 200 }, () => authorize(sms(accountId))));
    const outcomes = answers.map((a) => a.outcome);
    expect(outcomes.filter((o) => o === "charged")).toHaveLength(150);
    expect(outcomes.filter((o) => o === "low_balance")).toHaveLength(50);
    expect(await balanceOf(accountId)).toBe(0);
    expect(await chargesOf(accountId)).toHaveLength(150);
  });

  it("when the destination has no price, it answers destination_blocked and charges nothing", async () => {
    const { accountId } = await pricing.accounts.createAccount({ name: "japan", credits: "1" });
    const answer = await authorize(sms(accountId, { to: "+81312345678", country: "JP" }));
    expect(answer).toEqual({ outcome: "destination_blocked", reason: "no price for +81312345678" });
    expect(await balanceOf(accountId)).toBe(10_000);
  });

  it("when the balance does not cover the message, it answers low_balance and charges nothing", async () => {
    const { accountId } = await pricing.accounts.createAccount({ name: "poor", credits: "0.04" });
    expect(await authorize(sms(accountId))).toEqual({
      outcome: "low_balance",
      balance: 400,
      needed: 420,
    });
    expect(await chargesOf(accountId)).toEqual([]);
  });

  it("when the account is disabled, it answers destination_blocked", async () => {
    const { accountId } = await pricing.accounts.createAccount({ name: "gone", credits: "1" });
    await pricing.accounts.disable("gone");
    expect(await authorize(sms(accountId))).toMatchObject({ outcome: "destination_blocked" });
  });

  it("when the request is malformed, it answers error and names the field", async () => {
    expect(await authorize({ messageId: "msg_x", accountId: "acc_x" })).toMatchObject({
      outcome: "error",
    });
    expect(await authorize(sms("acc_x", { to: "372 5678" }))).toMatchObject({
      outcome: "error",
      reason: expect.stringContaining("to"),
    });
    const raw = await client.nc.request(subjectsFor(infra.prefix).authorize, "not json", {
      timeout: 5_000,
    });
    expect(raw.json()).toEqual({ outcome: "error", reason: "the request is not JSON" });
  });
});

describe("accounts", () => {
  it("when an account is created, it appears in the accounts bucket; a rotated token changes it", async () => {
    const created = await pricing.accounts.createAccount({ name: "kv", credits: "2" });
    const record = await waitFor(() => accounts.get(created.hash));
    expect(record).toMatchObject({
      accountId: created.accountId,
      hash: created.hash,
      tokenSha256: sha256(created.token),
      status: "active",
      currency: "EUR",
      test: true,
    });
    // The secret is in the dispatcher's bucket, never in the record every door reads.
    expect(record).not.toHaveProperty("webhookSecrets");
    const secrets = await startKvCache(
      client.nc,
      subjectsFor(infra.prefix).webhookSecretsBucket,
      WebhookSecretsRecord,
      log,
    );
    try {
      expect(await waitFor(() => secrets.get(created.hash))).toMatchObject({
        accountId: created.accountId,
        webhookSecrets: [created.webhookSecret],
      });
    } finally {
      await secrets.stop();
    }

    const rotated = await pricing.accounts.rotateToken("kv");
    expect(rotated.hash).toBe(created.hash);
    expect(rotated.token).not.toBe(created.token);
    await waitFor(() => accounts.get(created.hash)?.tokenSha256 === sha256(rotated.token));

    await pricing.accounts.disable(created.accountId);
    await waitFor(() => accounts.get(created.hash)?.status === "disabled");
  });

  it("when credit is topped up, the ledger records it and the balance grows", async () => {
    const { accountId } = await pricing.accounts.createAccount({ name: "topped", credits: "1" });
    const summary = await pricing.accounts.topUp("topped", "0.5", "test", "goodwill");
    expect(summary.balance).toBe(15_000);
    const entries = await sql`
      select kind, amount, actor, note from pricing.ledger
      where account_id = ${accountId} order by id`;
    expect(entries).toEqual([
      { kind: "topup", amount: "10000", actor: "system", note: "initial credits" },
      { kind: "topup", amount: "5000", actor: "test", note: "goodwill" },
    ]);
  });

  it("when the ledger is asked to change a row, it refuses: it is append-only", async () => {
    await expect(sql`update pricing.ledger set amount = 0`).rejects.toThrow(/append-only/);
  });

  it("when an account name is taken or an amount is wrong, the operation is refused", async () => {
    await expect(
      pricing.accounts.createAccount({ name: "once", credits: "1" }),
    ).rejects.toMatchObject({ code: "name_taken" });
    await expect(
      pricing.accounts.createAccount({ name: "odd", credits: "0.00001" }),
    ).rejects.toMatchObject({ code: "invalid_input" });
    await expect(pricing.accounts.topUp("nobody", "1", "test")).rejects.toMatchObject({
      code: "not_found",
    });
  });
});

describe("events and health", () => {
  it("when a message is charged, the answer carries the charge and nothing is published: no MessageCharged, no outbox row, only its ledger row", async () => {
    const { accountId } = await pricing.accounts.createAccount({ name: "quiet", credits: "1" });
    const message = sms(accountId, { parts: 2 });
    expect(await authorize(message)).toEqual({
      outcome: "charged",
      amount: 840,
      currency: "EUR",
      pricePerPart: 420,
      // The accepted event must be stored by then (ADR 0022).
      publishBy: expect.any(String),
    });
    // The sweep refunds it unless its MessageAccepted (which carries the charge) arrives.
    const charge = await sql`
      select account_id from pricing.ledger
      where message_id = ${message.messageId} and kind = 'charge'`;
    expect(charge).toEqual([{ account_id: accountId }]);
    // A publish would follow the answer at once: give one a moment to show.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [outbox] = await sql<{ n: number }[]>`select count(*)::int as n from pricing.outbox`;
    expect(outbox?.n).toBe(0);
    const subjects = subjectsFor(infra.prefix);
    const stream = await client.jsm.streams.info(subjects.stream, {
      subjects_filter: subjects.event("MessageCharged"),
    });
    expect(stream.state.subjects ?? {}).toEqual({});
  });

  it("when asked, the health server says ready", async () => {
    const res = await fetch(`http://127.0.0.1:${pricing.healthPort}/readyz`);
    expect(res.status).toBe(200);
    expect(pricing.ready()).toBe(true);
  });
});

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
