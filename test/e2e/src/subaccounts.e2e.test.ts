import { loadIngressConfig, type StartedIngress, startIngress } from "@smsgw/ingress";
import { loadPricingConfig, type StartedPricing, startPricing } from "@smsgw/pricing";
import { createLogger } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { untilIngressKnows } from "./gateway.ts";

// Sub-accounts (issue 22, docs/api.md section 8) through real HTTP: the real pricing, which
// owns accounts and money, behind a real ingress. A parent creates a sub-account, funds it,
// the sub-account sends with its own credentials and pays from its own balance, and the
// parent sees its usage.
const log = createLogger("subaccounts-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let pricing: StartedPricing;
let ingress: StartedIngress;
let base: string;

beforeAll(async () => {
  infra = await createTestInfra({ HTTP_PORT: "0", HEALTH_PORT: "0" });
  pricing = await startPricing(loadPricingConfig(infra.env), log);
  ingress = await startIngress(loadIngressConfig(infra.env), log);
  base = `http://127.0.0.1:${ingress.port}`;
});

afterAll(async () => {
  await ingress?.stop();
  await pricing?.stop();
  await infra?.cleanup();
});

interface Credentials {
  hash: string;
  token: string;
}
const basic = ({ hash, token }: Credentials) => ({
  authorization: `Basic ${Buffer.from(`${hash}:${token}`).toString("base64")}`,
  "content-type": "application/json",
});
async function call(who: Credentials, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: basic(who),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { http: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("sub-accounts through the API", () => {
  it("when a parent creates and funds a sub-account, the sub-account sends on its own credit and the parent sees its usage", async () => {
    const parent = await pricing.accounts.createAccount({ name: "reseller", credits: "10" });
    await untilIngressKnows(base, parent);

    const created = await call(parent, "POST", "/v1/subaccounts", { name: "client-a" });
    expect(created.http).toBe(201);
    expect(created.body).toMatchObject({ name: "reseller.client-a" });
    const child = {
      accountId: String(created.body.id),
      hash: String(created.body.hash),
      token: String(created.body.token),
    };
    await untilIngressKnows(base, child);
    // No credit yet: the sub-account's first send is refused uncharged.
    const broke = await call(child, "POST", "/v1/messages", {
      to: "+37256789045",
      from: "MyApp",
      text: "hi",
    });
    expect(broke.body).toMatchObject({ status: "low_balance" });

    const funded = await call(parent, "POST", `/v1/subaccounts/${child.accountId}/transfers`, {
      amount: "2.5",
      note: "first month",
    });
    expect(funded).toEqual({
      http: 200,
      body: { parentBalance: 75_000, subaccountBalance: 25_000 },
    });
    const sent = await call(child, "POST", "/v1/messages", {
      to: "+37256789045",
      from: "MyApp",
      text: "hi",
    });
    expect(sent.http).toBe(202);
    expect((await pricing.accounts.get(parent.accountId))?.balance).toBe(75_000);
    expect((await pricing.accounts.get(child.accountId))?.balance).toBeLessThan(25_000);

    const listed = await call(parent, "GET", "/v1/subaccounts");
    expect(listed.http).toBe(200);
    expect(listed.body.subaccounts).toMatchObject([
      { id: child.accountId, name: "reseller.client-a", messagesLast30Days: 1 },
    ]);
    // The sub-account has none of its own, and may not make any.
    expect(await call(child, "GET", "/v1/subaccounts")).toEqual({
      http: 200,
      body: { subaccounts: [] },
    });
    expect((await call(child, "POST", "/v1/subaccounts", { name: "deeper" })).body).toMatchObject({
      status: "forbidden",
    });
  });

  it("when a transfer is malformed, too large, or names another's sub-account, it is refused with its documented error", async () => {
    const parent = await pricing.accounts.createAccount({ name: "reseller-2", credits: "1" });
    const other = await pricing.accounts.createAccount({ name: "reseller-3", credits: "1" });
    await untilIngressKnows(base, parent);
    await untilIngressKnows(base, other);
    const created = await call(parent, "POST", "/v1/subaccounts", { name: "c" });
    const childId = String(created.body.id);
    const transfer = (who: Credentials, id: string, body: unknown) =>
      call(who, "POST", `/v1/subaccounts/${id}/transfers`, body);
    expect((await transfer(parent, childId, { amount: "lots" })).http).toBe(400);
    expect((await transfer(parent, childId, { amount: "0" })).http).toBe(400);
    expect(await transfer(parent, childId, { amount: "5" })).toMatchObject({
      http: 422,
      body: { status: "low_balance" },
    });
    expect(await transfer(other, childId, { amount: "0.5" })).toMatchObject({
      http: 404,
      body: { status: "not_found" },
    });
    expect((await call(parent, "POST", "/v1/subaccounts", {})).http).toBe(400);
    expect((await pricing.accounts.get(parent.accountId))?.balance).toBe(10_000);
  });
});
