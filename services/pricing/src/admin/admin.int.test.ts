import { createHash } from "node:crypto";
import { AccountRecord, subjects as subjectsFor, WebhookSecretsRecord } from "@smsgw/contracts";
import {
  connectNats,
  createLogger,
  type KvCache,
  type Nats,
  startKvCache,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPricingConfig } from "../config.ts";
import { type StartedPricing, startPricing } from "../service.ts";

const log = createLogger("admin-test", "silent");
const TOKEN = "admin-token-for-tests-0123456789";
/** A named operator (ADMIN_OPERATORS holds only its token's digest). */
const BOB_TOKEN = "bobs-own-operator-token-0123456789";
let infra: TestInfra;
let pricing: StartedPricing;
let client: Nats;
let kv: KvCache<AccountRecord>;
let secrets: KvCache<WebhookSecretsRecord>;
let base: string;

beforeAll(async () => {
  infra = await createTestInfra(
    {
      HEALTH_PORT: "0",
      ADMIN_PORT: "0",
      ADMIN_TOKEN: TOKEN,
      ADMIN_OPERATORS: `bob:${createHash("sha256").update(BOB_TOKEN).digest("hex")}`,
      SWEEP_INTERVAL_MS: "600000",
      WEBHOOK_SECRET_GRACE_MS: "200",
    },
    { natsUser: "pricing" },
  );
  pricing = await startPricing(loadPricingConfig(infra.env), log);
  base = `http://127.0.0.1:${pricing.adminPort}`;
  client = await connectNats(infra.env.NATS_URL ?? "", "admin-test", log);
  kv = await startKvCache(client.nc, subjectsFor(infra.prefix).accountsBucket, AccountRecord, log);
  secrets = await startKvCache(
    client.nc,
    subjectsFor(infra.prefix).webhookSecretsBucket,
    WebhookSecretsRecord,
    log,
  );
});
afterAll(async () => {
  await kv?.stop();
  await secrets?.stop();
  await client?.nc.close();
  await pricing?.stop();
  await infra?.cleanup();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: test answers are read as loose JSON
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      "x-actor": "alice",
      ...(typeof body === "string"
        ? { "content-type": "text/csv" }
        : body === undefined
          ? {}
          : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === "" ? undefined : JSON.parse(text) };
}

describe("the admin API", () => {
  it("when a named operator calls, its changes are recorded as that operator whatever X-Actor says", async () => {
    const asBob = { authorization: `Bearer ${BOB_TOKEN}`, "x-actor": "mallory" };
    const created = await call("POST", "/admin/accounts", { name: "bobs", credits: "5" }, asBob);
    expect(created.status).toBe(201);
    const topped = await call(
      "POST",
      "/admin/accounts/bobs/top-up",
      { credits: "1", note: "bonus" },
      asBob,
    );
    expect(topped.status).toBe(200);
    await call("POST", "/admin/accounts/bobs/token", undefined, asBob);
    const ledger = await call("GET", "/admin/accounts/bobs/ledger", undefined, asBob);
    expect(ledger.json.entries.map((e: Record<string, unknown>) => e.actor)).toEqual([
      "operator:bob",
      "operator:bob",
    ]);
    const audit = await pricing.accounts.audit("bobs");
    expect(
      audit.filter((e) => e.action !== "account.created").map((e) => [e.action, e.actor]),
    ).toEqual([
      ["token.rotated", "operator:bob"],
      ["credits.topped_up", "operator:bob"],
    ]);
    // A token no operator has is refused, as before.
    const stranger = await call("GET", "/admin/accounts", undefined, {
      authorization: "Bearer bobs-own-operator-token-01234567890",
    });
    expect(stranger.status).toBe(401);
  });

  it("when the token is missing or wrong, it answers 401 in JSON", async () => {
    for (const authorization of ["", "Bearer nope", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await call("GET", "/admin/accounts", undefined, { authorization });
      expect(res).toEqual({
        status: 401,
        json: { error: { code: "unauthorized", message: expect.any(String) } },
      });
    }
  });

  it("when an account is created, topped up and adjusted, every movement names who and why", async () => {
    const created = await call("POST", "/admin/accounts", { name: "acme", credits: "10" });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: "acme",
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      balance: 10,
      test: true,
    });
    expect(
      (await call("POST", "/admin/accounts/acme/top-up", { credits: "2.5", note: "invoice 7" }))
        .json,
    ).toMatchObject({ balance: 12.5 });
    expect(
      (await call("POST", "/admin/accounts/acme/adjust", { amount: "-0.5", note: "correction" }))
        .json,
    ).toMatchObject({ balance: 12 });
    const refused = await call("POST", "/admin/accounts/acme/adjust", {
      amount: "-100",
      note: "oops",
    });
    expect(refused).toEqual({
      status: 400,
      json: { error: { code: "invalid_input", message: expect.stringMatching(/below zero/) } },
    });
    const ledger = await call("GET", "/admin/accounts/acme/ledger");
    expect(
      ledger.json.entries.map((e: Record<string, unknown>) => [e.kind, e.amount, e.actor, e.note]),
    ).toEqual([
      ["adjustment", -0.5, "admin:alice", "correction"],
      ["topup", 2.5, "admin:alice", "invoice 7"],
      ["topup", 10, "admin:alice", "initial credits"],
    ]);
  });

  it("when a top-up with a reference is retried, at once or later, it credits once; the retry is marked replayed and another amount is a 409", async () => {
    await call("POST", "/admin/accounts", { name: "paid", credits: "0" });
    const topUp = (credits: string, reference: unknown = "pay_77") =>
      fetch(`${base}/admin/accounts/paid/top-up`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ credits, note: "card payment", reference }),
      });
    // A payment provider's webhook delivered twice at once.
    const pair = await Promise.all([topUp("20"), topUp("20")]);
    const answers = await Promise.all(
      pair.map(async (r) => (await r.json()) as { replayed: boolean; entry: unknown }),
    );
    expect(pair.map((r) => r.status)).toEqual([200, 200]);
    expect(answers.map((a) => a.replayed).sort()).toEqual([false, true]);
    const replay = pair.find((r) => r.headers.get("idempotent-replayed") === "true");
    expect(replay).toBeDefined();
    expect(answers[0]?.entry).toEqual(answers[1]?.entry);
    expect(answers[0]?.entry).toMatchObject({
      kind: "topup",
      amount: 20,
      reference: "pay_77",
      note: "card payment",
      actor: "admin:api",
    });

    const later = await topUp("20");
    expect(later.headers.get("idempotent-replayed")).toBe("true");
    expect(await later.json()).toMatchObject({ balance: 20, replayed: true });

    const other = await topUp("25");
    expect(other.status).toBe(409);
    expect(await other.json()).toEqual({
      error: { code: "reference_reused", message: expect.stringMatching(/pay_77/) },
    });
    const adjusted = await call("POST", "/admin/accounts/paid/adjust", {
      amount: "20",
      note: "same reference, another kind",
      reference: "pay_77",
    });
    expect(adjusted.status).toBe(409);
    for (const bad of ["", "two words", { id: 1 }]) {
      const refused = await topUp("1", bad);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: { code: "invalid_input" } });
    }
    const fresh = await topUp("1", "pay_78");
    expect(fresh.headers.get("idempotent-replayed")).toBeNull();
    expect(await fresh.json()).toMatchObject({ balance: 21, replayed: false });

    const ledger = (await call("GET", "/admin/accounts/paid/ledger")).json.entries;
    expect(ledger.map((e: Record<string, unknown>) => [e.amount, e.reference])).toEqual([
      [1, "pay_78"],
      [20, "pay_77"],
    ]);
    const audit = await pricing.accounts.audit("paid");
    expect(
      audit.filter((e) => e.action === "credits.topped_up").map((e) => e.details.reference),
    ).toEqual(["pay_78", "pay_77"]);
  });

  it("when settings change, the account record in the bucket follows", async () => {
    const created = (await call("POST", "/admin/accounts", { name: "settings", credits: "1" }))
      .json;
    await call("POST", "/admin/accounts/settings/blocked-countries", { block: ["ee", "LV"] });
    await call("PUT", "/admin/accounts/settings/limits", {
      accountRatePerSec: 5,
      accountBurst: 10,
    });
    await call("POST", "/admin/accounts/settings/disable");
    await waitFor(() => kv.get(created.hash)?.status === "disabled");
    expect(kv.get(created.hash)).toMatchObject({
      blockedCountries: ["EE", "LV"],
      limits: { accountRatePerSec: 5, accountBurst: 10 },
    });
    await call("POST", "/admin/accounts/settings/enable");
    await waitFor(() => kv.get(created.hash)?.status === "active");
    const badLimits = await call("PUT", "/admin/accounts/settings/limits", { accountBurst: -1 });
    expect(badLimits.status).toBe(400);
    const badCountry = await call("POST", "/admin/accounts/settings/blocked-countries", {
      block: ["EST"],
    });
    expect(badCountry.status).toBe(400);
  });

  it("when a default callback URL is set, the record in the bucket carries it; a guarded URL is refused", async () => {
    const created = (await call("POST", "/admin/accounts", { name: "hooked", credits: "1" })).json;
    const url = "https://hooked.example.com/reports";
    const set = await call("PUT", "/admin/accounts/hooked/default-callback-url", {
      defaultCallbackUrl: url,
    });
    expect(set).toMatchObject({ status: 200, json: { defaultCallbackUrl: url } });
    await waitFor(() => kv.get(created.hash)?.defaultCallbackUrl === url);
    const refused = await call("PUT", "/admin/accounts/hooked/default-callback-url", {
      defaultCallbackUrl: "http://169.254.169.254/latest/meta-data",
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe("invalid_input");
    const cleared = await call("PUT", "/admin/accounts/hooked/default-callback-url", {
      defaultCallbackUrl: null,
    });
    expect(cleared.json.defaultCallbackUrl).toBeNull();
    await waitFor(() => kv.get(created.hash)?.defaultCallbackUrl === undefined);
  });

  it("when the webhook secret is rotated, both are published for the grace period, then the old one is dropped", async () => {
    const created = (await call("POST", "/admin/accounts", { name: "hooks", credits: "1" })).json;
    const rotated = (await call("POST", "/admin/accounts/hooks/webhook-secret")).json;
    expect(rotated.webhookSecret).not.toBe(created.webhookSecret);
    await waitFor(() => secrets.get(created.hash)?.webhookSecrets.length === 2);
    expect(secrets.get(created.hash)?.webhookSecrets).toEqual([
      rotated.webhookSecret,
      created.webhookSecret,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 250)); // the 200 ms grace
    await pricing.sweep.runOnce();
    await waitFor(() => secrets.get(created.hash)?.webhookSecrets.length === 1);
    expect(secrets.get(created.hash)?.webhookSecrets).toEqual([rotated.webhookSecret]);
  });

  it("when the token is rotated, the record carries the new token's hash at once", async () => {
    const created = (await call("POST", "/admin/accounts", { name: "tokens", credits: "1" })).json;
    const rotated = (await call("POST", "/admin/accounts/tokens/token")).json;
    expect(rotated.token).not.toBe(created.token);
    await waitFor(() => kv.get(created.hash)?.tokenSha256 !== undefined);
    const { createHash } = await import("node:crypto");
    await waitFor(
      () =>
        kv.get(created.hash)?.tokenSha256 ===
        createHash("sha256").update(rotated.token).digest("hex"),
    );
  });

  it("when a price list is loaded, bad lines are reported with their numbers and good ones take effect", async () => {
    const bad = await call(
      "PUT",
      "/admin/prices",
      "prefix,country,price_per_part,currency\n+44,GB,0.05,EUR\n44,GB,x,EUR\n",
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.problems).toEqual([
      expect.stringMatching(/^line 3: prefix "44"/),
      expect.stringMatching(/^line 3: price "x"/),
    ]);
    const good = await call(
      "PUT",
      "/admin/prices",
      "prefix,country,price_per_part,currency\n+44,GB,0.0500,EUR\n",
    );
    expect(good.json).toEqual({ stored: 1, removed: 0 });
    const list = (await call("GET", "/admin/prices")).json.prices;
    expect(list).toContainEqual({
      prefix: "+44",
      country: "GB",
      pricePerPart: 0.05,
      currency: "EUR",
    });
    expect(list.length).toBeGreaterThan(1);

    const override = await call("PUT", "/admin/accounts/acme/prices/+44", { price: "0.04" });
    expect(override.json).toMatchObject({ prefix: "+44", pricePerPart: 0.04, currency: "EUR" });
    expect((await call("GET", "/admin/accounts/acme/prices")).json.overrides).toHaveLength(1);
    expect((await call("DELETE", "/admin/accounts/acme/prices/+44")).status).toBe(204);
    expect((await call("DELETE", "/admin/accounts/acme/prices/+44")).status).toBe(404);
    const audit = (await pricing.accounts.audit("acme")).filter((e) =>
      e.action.startsWith("price_override."),
    );
    expect(audit.map((e) => [e.action, e.target, e.actor, e.ip, e.details])).toEqual([
      [
        "price_override.removed",
        "+44",
        "admin-api",
        expect.any(String),
        { currency: "EUR", before: 400, after: null },
      ],
      [
        "price_override.set",
        "+44",
        "admin-api",
        expect.any(String),
        { currency: "EUR", before: null, after: 400 },
      ],
    ]);

    const replaced = await call(
      "PUT",
      "/admin/prices?replace=true",
      "prefix,country,price_per_part,currency\n+372,EE,0.0420,EUR\n",
    );
    expect(replaced.json.stored).toBe(1);
    // The file's currency's list is replaced; the USD and GBP lists of the default file stay.
    const after: Array<{ prefix: string; currency: string }> = (await call("GET", "/admin/prices"))
      .json.prices;
    expect(after.filter((p) => p.currency === "EUR").map((p) => p.prefix)).toEqual(["+372"]);
    expect(after.filter((p) => p.currency === "USD").length).toBeGreaterThan(1);
  });

  it("when the request is wrong, it answers a JSON error and never a stack trace", async () => {
    const broken = await fetch(`${base}/admin/accounts`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(broken.status).toBe(400);
    const text = await broken.text();
    expect(JSON.parse(text).error.code).toBe("invalid_request");
    expect(text).not.toMatch(/\bat .+:\d+:\d+/);
    expect((await call("GET", "/admin/accounts/nobody")).status).toBe(404);
    expect((await call("POST", "/admin/accounts", { name: "acme", credits: "1" })).status).toBe(
      409,
    );
    expect((await call("GET", "/admin/nothing")).status).toBe(404);
  });
});
