import { loadIngressConfig, type StartedIngress, startIngress } from "@smsgw/ingress";
import { loadPricingConfig, type StartedPricing, startPricing } from "@smsgw/pricing";
import { createLogger } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { untilIngressKnows } from "./gateway.ts";

// API keys (api.md section 8) through real HTTP: the real pricing (which owns the keys and
// publishes them in the account's record) and two ingress replicas on the same NATS, the
// second behind a trusted proxy (TRUST_PROXY) so the allowlist meets other addresses.

const log = createLogger("api-keys-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let pricing: StartedPricing;
let ingressA: StartedIngress;
let ingressB: StartedIngress;
let a: string;
let b: string;

beforeAll(async () => {
  infra = await createTestInfra({ HTTP_PORT: "0", HEALTH_PORT: "0" });
  pricing = await startPricing(loadPricingConfig(infra.env), log);
  ingressA = await startIngress(loadIngressConfig(infra.env), log);
  ingressB = await startIngress(loadIngressConfig({ ...infra.env, TRUST_PROXY: "true" }), log);
  a = `http://127.0.0.1:${ingressA.port}`;
  b = `http://127.0.0.1:${ingressB.port}`;
});

afterAll(async () => {
  await ingressB?.stop();
  await ingressA?.stop();
  await pricing?.stop();
  await infra?.cleanup();
});

interface Account {
  accountId: string;
  hash: string;
  token: string;
}

let accounts = 0;
async function newAccount(): Promise<Account> {
  const account = await pricing.accounts.createAccount({
    name: `keys-${++accounts}`,
    credits: "10",
  });
  await untilIngressKnows(a, account);
  await untilIngressKnows(b, account);
  return account;
}

const basic = (hash: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${hash}:${secret}`).toString("base64")}`,
});

async function call(base: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return { http: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

function createKey(account: Account, secret: string, body: unknown, base = a) {
  return call(base, "/v1/keys", {
    method: "POST",
    headers: { ...basic(account.hash, secret), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function newKey(account: Account, body: Record<string, unknown>) {
  const created = await createKey(account, account.token, { name: "k", ...body });
  expect(created.http).toBe(201);
  return { id: String(created.body.id), secret: String(created.body.secret) };
}

function sendV1(base: string, hash: string, secret: string, headers: Record<string, string> = {}) {
  return call(base, "/v1/messages", {
    method: "POST",
    headers: { ...basic(hash, secret), "content-type": "application/json", ...headers },
    body: JSON.stringify({ to: "+37256789045", from: "MyApp", text: "hi" }),
  });
}

function sendCompatible(hash: string, secret: string) {
  const query = new URLSearchParams({
    hash,
    token: secret,
    toNumber: "+37256789045",
    fromNumber: "MyApp",
    text: "hi",
  });
  return call(a, `/?${query}`);
}

async function balanceOf(account: Account): Promise<number | undefined> {
  return (await pricing.accounts.get(account.accountId))?.balance;
}

describe("API keys", () => {
  it("when a key is created, it answers 201 with the secret once, and lists the key without it", async () => {
    const account = await newAccount();
    const created = await createKey(account, account.token, {
      name: " backend ",
      scopes: ["send", "read"],
      allowedIps: ["203.0.113.7/24", "2001:DB8::1/32", "198.51.100.9"],
    });
    expect(created.http).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^key_[0-9a-f]{20}$/),
      name: "backend",
      scopes: ["send", "read"],
      allowedIps: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.9/32"],
      secret: expect.stringMatching(/^key_[0-9a-f]{20}\.[A-Za-z0-9_-]{43}$/),
      createdAt: expect.any(String),
    });
    const listed = await call(a, "/v1/keys", { headers: basic(account.hash, account.token) });
    expect(listed.http).toBe(200);
    const { secret: _, ...withoutSecret } = created.body;
    expect(listed.body).toEqual({ keys: [withoutSecret] });
    expect(JSON.stringify(listed.body)).not.toContain(String(created.body.secret).slice(30));
  });

  it("when a read key sends, it answers 403 forbidden and charges nothing", async () => {
    const account = await newAccount();
    const key = await newKey(account, { scopes: ["read"] });
    const before = await balanceOf(account);
    const v1 = await sendV1(a, account.hash, key.secret);
    expect(v1).toMatchObject({ http: 403, body: { status: "forbidden" } });
    expect(String(v1.body.message)).toMatch(/send scope/);
    expect(await sendCompatible(account.hash, key.secret)).toMatchObject({
      http: 403,
      body: { status: "forbidden" },
    });
    expect(await balanceOf(account)).toBe(before);
    // What its scope allows it does.
    const balance = await call(a, "/v1/balance", { headers: basic(account.hash, key.secret) });
    expect(balance).toMatchObject({ http: 200, body: { balance: 10, currency: "EUR" } });
  });

  it("when a send key sends, it is accepted on both endpoints; it cannot read or manage keys", async () => {
    const account = await newAccount();
    const key = await newKey(account, { scopes: ["send"] });
    expect(await sendV1(a, account.hash, key.secret)).toMatchObject({ http: 202 });
    expect(await sendCompatible(account.hash, key.secret)).toMatchObject({
      http: 200,
      body: { status: "success" },
    });
    const list = await call(a, "/v1/keys", { headers: basic(account.hash, key.secret) });
    expect(list).toMatchObject({ http: 403, body: { status: "forbidden" } });
    expect(await createKey(account, key.secret, { name: "x", scopes: ["send"] })).toMatchObject({
      http: 403,
      body: { status: "forbidden" },
    });
    const balance = await call(a, "/v1/balance", { headers: basic(account.hash, key.secret) });
    expect(balance).toMatchObject({ http: 403, body: { status: "forbidden" } });
  });

  it("when a key is used from outside its allowlist, it answers 403 forbidden (IPv4 and IPv6)", async () => {
    const account = await newAccount();
    const elsewhere = await newKey(account, { scopes: ["send"], allowedIps: ["203.0.113.0/24"] });
    const local = await newKey(account, { scopes: ["send"], allowedIps: ["127.0.0.0/8"] });
    const v6 = await newKey(account, { scopes: ["send"], allowedIps: ["2001:db8::/32"] });
    await waitFor(async () => (await sendV1(b, account.hash, local.secret)).http === 202, {
      what: "replica B to know the keys",
    });
    const refused = await sendV1(a, account.hash, elsewhere.secret);
    expect(refused).toMatchObject({ http: 403, body: { status: "forbidden" } });
    expect(String(refused.body.message)).toMatch(/address/);
    expect(await sendV1(a, account.hash, local.secret)).toMatchObject({ http: 202 });
    // Replica B trusts its proxy: the client is the address the proxy appended.
    const via = (ip: string) => ({ "x-forwarded-for": ip });
    expect(await sendV1(b, account.hash, elsewhere.secret, via("203.0.113.50"))).toMatchObject({
      http: 202,
    });
    expect(await sendV1(b, account.hash, elsewhere.secret, via("198.51.100.1"))).toMatchObject({
      http: 403,
    });
    expect(await sendV1(b, account.hash, v6.secret, via("2001:db8:1::5"))).toMatchObject({
      http: 202,
    });
    expect(await sendV1(b, account.hash, v6.secret, via("2001:db9::5"))).toMatchObject({
      http: 403,
    });
  });

  it("when one of two live keys is revoked, the other works and the revoked one is refused at both replicas within a second", async () => {
    const account = await newAccount();
    const first = await newKey(account, { scopes: ["send", "read", "manage"] });
    const second = await newKey(account, { scopes: ["send"] });
    for (const base of [a, b]) {
      await waitFor(async () => (await sendV1(base, account.hash, second.secret)).http === 202, {
        what: "both replicas to know the keys",
      });
      expect(await sendV1(base, account.hash, first.secret)).toMatchObject({ http: 202 });
    }

    // A key with `manage` may revoke (here another key of its account).
    const revoked = await call(a, `/v1/keys/${second.id}`, {
      method: "DELETE",
      headers: basic(account.hash, first.secret),
    });
    expect(revoked).toEqual({ http: 200, body: { id: second.id, revoked: true } });
    const revokedAt = Date.now();
    // The replica that answered already refuses it; the other within a second.
    expect(await sendV1(a, account.hash, second.secret)).toMatchObject({
      http: 401,
      body: { status: "auth_failed" },
    });
    await waitFor(async () => (await sendV1(b, account.hash, second.secret)).http === 401, {
      what: "replica B to refuse the revoked key",
      timeoutMs: 1_000,
    });
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    for (const base of [a, b]) {
      expect(await sendV1(base, account.hash, first.secret)).toMatchObject({ http: 202 });
      expect(await sendV1(base, account.hash, account.token)).toMatchObject({ http: 202 });
    }
    const again = await call(a, `/v1/keys/${second.id}`, {
      method: "DELETE",
      headers: basic(account.hash, account.token),
    });
    expect(again).toMatchObject({ http: 404, body: { status: "not_found" } });

    // The audit log: one entry per change, with the credential ingress verified and the address.
    const entries = (await pricing.accounts.audit(account.accountId)).filter(
      (e) => e.action !== "account.created",
    );
    expect(entries.map((e) => [e.action, e.target, e.actor, e.ip])).toEqual([
      ["api_key.revoked", second.id, `api:${first.id}`, "127.0.0.1"],
      ["api_key.created", second.id, "api:token", "127.0.0.1"],
      ["api_key.created", first.id, "api:token", "127.0.0.1"],
    ]);
  });

  it("when a key's secret belongs to another account or is altered, it answers 401 auth_failed", async () => {
    const account = await newAccount();
    const other = await newAccount();
    const key = await newKey(account, { scopes: ["send"] });
    expect(await sendV1(a, other.hash, key.secret)).toMatchObject({ http: 401 });
    const altered = `${key.secret.slice(0, -1)}${key.secret.endsWith("A") ? "B" : "A"}`;
    expect(await sendV1(a, account.hash, altered)).toMatchObject({
      http: 401,
      body: { status: "auth_failed" },
    });
  });

  it("when a key body is bad, it answers 400 invalid_params naming the field", async () => {
    const account = await newAccount();
    const bad = async (body: unknown) => {
      const answer = await createKey(account, account.token, body);
      expect(answer.http).toBe(400);
      expect(answer.body.status).toBe("invalid_params");
      return String(answer.body.message);
    };
    expect(await bad({ scopes: ["send"] })).toMatch(/name/);
    expect(await bad({ name: "", scopes: ["send"] })).toMatch(/name/);
    expect(await bad({ name: "x".repeat(65), scopes: ["send"] })).toMatch(/name/);
    expect(await bad({ name: "k" })).toMatch(/scopes/);
    expect(await bad({ name: "k", scopes: [] })).toMatch(/scopes/);
    expect(await bad({ name: "k", scopes: ["admin"] })).toMatch(/scopes/);
    expect(await bad({ name: "k", scopes: ["send", "send"] })).toMatch(/scopes/);
    expect(await bad({ name: "k", scopes: ["send"], allowedIps: ["10.0.0.0/33"] })).toMatch(
      /allowedIps/,
    );
    expect(await bad({ name: "k", scopes: ["send"], allowedIps: "10.0.0.0/8" })).toMatch(
      /allowedIps/,
    );
    expect(await bad({ name: "k", scopes: ["send"], extra: 1 })).toMatch(/extra/);
    expect((await call(a, "/v1/keys")).http).toBe(401);
  });

  it("when an account holds the most keys it may, another is refused with 400 invalid_params", async () => {
    const account = await newAccount();
    for (let i = 0; i < 20; i++) await newKey(account, { scopes: ["read"] });
    const refused = await createKey(account, account.token, { name: "one more", scopes: ["read"] });
    expect(refused).toMatchObject({ http: 400, body: { status: "invalid_params" } });
    expect(String(refused.body.message)).toMatch(/20 API keys/);
  });
});
