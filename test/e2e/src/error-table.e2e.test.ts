import { waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";

// Every row of api.md's error table, through real HTTP, against the real pricing service.
// Limits are lowered so the rate rows are reachable; each test uses its own account so
// the per-account bucket of one test does not leak into another.

type Account = { accountId: string; hash: string; token: string };
let gateway: Gateway;
let sql: postgres.Sql;
let account: Account;

beforeAll(async () => {
  gateway = await startGateway({
    IP_RATE_PER_SEC: "60",
    IP_BURST: "60",
    ACCOUNT_RATE_PER_SEC: "10",
    ACCOUNT_BURST: "20",
  });
  sql = postgres(gateway.infra.database.url, { max: 2, onnotice: () => undefined });
  account = await gateway.pricing.accounts.createAccount({ name: "errors", credits: "10" });
});

afterAll(async () => {
  await sql?.end();
  await gateway?.stop();
});

const valid = { toNumber: "+37256789045", fromNumber: "MyApp", text: "hello" };

async function get(params: Record<string, string>) {
  const res = await fetch(`${gateway.baseUrl}/?${new URLSearchParams(params)}`);
  const text = await res.text();
  return {
    http: res.status,
    headers: res.headers,
    text,
    body: JSON.parse(text) as { status: string; message?: string },
  };
}

async function post(body: string, contentType: string) {
  const res = await fetch(`${gateway.baseUrl}/`, {
    method: "POST",
    body,
    headers: { "content-type": contentType },
  });
  const text = await res.text();
  return { http: res.status, text, body: JSON.parse(text) as { status: string; message?: string } };
}

const creds = (a: Account) => ({ hash: a.hash, token: a.token });

describe("the compatible endpoint's error table", () => {
  it("when a required field is missing, empty or repeated, it answers 400 invalid_params naming the field", async () => {
    const missing = await get({ ...creds(account), fromNumber: "MyApp", text: "hi" });
    expect(missing).toMatchObject({ http: 400, body: { status: "invalid_params" } });
    expect(missing.body.message).toMatch(/toNumber/);
    const empty = await get({ ...creds(account), ...valid, text: "" });
    expect(empty).toMatchObject({ http: 400, body: { status: "invalid_params" } });
    expect(empty.body.message).toMatch(/text/);
    const repeated = await fetch(
      `${gateway.baseUrl}/?${new URLSearchParams({ ...creds(account), ...valid })}&text=again`,
    );
    expect(repeated.status).toBe(400);
  });

  it("when the text is over the part limit, or the body is malformed or of an unknown type, it answers 400 invalid_params", async () => {
    const long = await get({ ...creds(account), ...valid, text: "x".repeat(153 * 10 + 1) });
    expect(long).toMatchObject({ http: 400, body: { status: "invalid_params" } });
    const badJson = await post('{"hash": "x", "token":', "application/json");
    expect(badJson).toMatchObject({ http: 400, body: { status: "invalid_params" } });
    const xml = await post("<sms/>", "application/xml");
    expect(xml).toMatchObject({ http: 400, body: { status: "invalid_params" } });
    expect(xml.text).not.toMatch(/<|at .*\.ts/);
  });

  it("when the hash or token is wrong, or the account is disabled, it answers 401 auth_failed without saying which", async () => {
    const wrongToken = await get({ hash: account.hash, token: "wrong", ...valid });
    const unknownHash = await get({ hash: "nobody", token: "wrong", ...valid });
    expect(wrongToken).toMatchObject({ http: 401, body: { status: "auth_failed" } });
    expect(unknownHash).toMatchObject({ http: 401, body: { status: "auth_failed" } });
    expect(wrongToken.body.message).toBe(unknownHash.body.message);
    const disabled = await gateway.pricing.accounts.createAccount({
      name: "errors-disabled",
      credits: "1",
    });
    await gateway.pricing.accounts.disable("errors-disabled");
    await waitFor(async () => (await get({ ...creds(disabled), ...valid })).http === 401);
  });

  it("when the number is not valid E.164, it answers 200 invalid_phone", async () => {
    for (const toNumber of ["+3725", "37256789045", "+999123456789", "not a number"]) {
      expect(await get({ ...creds(account), ...valid, toNumber })).toMatchObject({
        http: 200,
        body: { status: "invalid_phone" },
      });
    }
  });

  it("when the sender is malformed, it answers 200 invalid_sender", async () => {
    for (const fromNumber of ["TwelveChars1", "1234567890123456", "Zoë"]) {
      expect(await get({ ...creds(account), ...valid, fromNumber })).toMatchObject({
        http: 200,
        body: { status: "invalid_sender" },
      });
    }
  });

  it("when the destination has no price, it answers 200 destination_blocked", async () => {
    expect(await get({ ...creds(account), ...valid, toNumber: "+81312345678" })).toMatchObject({
      http: 200,
      body: { status: "destination_blocked" },
    });
  });

  it("when the balance does not cover the message, it answers 200 low_balance", async () => {
    const poor = await gateway.pricing.accounts.createAccount({
      name: "errors-poor",
      credits: "0.01",
    });
    const text = "x".repeat(153 * 3); // 3 parts at 0.042 > 0.01
    expect(await get({ ...creds(poor), ...valid, text })).toMatchObject({
      http: 200,
      body: { status: "low_balance" },
    });
  });

  it("when checks collide, the first in api.md's order wins", async () => {
    // invalid_params before auth_failed
    expect(
      (await get({ hash: account.hash, token: "wrong", fromNumber: "MyApp", text: "hi" })).body
        .status,
    ).toBe("invalid_params");
    // auth_failed before invalid_phone
    expect(
      (await get({ hash: account.hash, token: "wrong", ...valid, toNumber: "+3725" })).body.status,
    ).toBe("auth_failed");
    // invalid_phone before invalid_sender
    expect(
      (await get({ ...creds(account), ...valid, toNumber: "+3725", fromNumber: "TwelveChars1" }))
        .body.status,
    ).toBe("invalid_phone");
    // invalid_sender before destination_blocked
    expect(
      (
        await get({
          ...creds(account),
          ...valid,
          toNumber: "+81312345678",
          fromNumber: "TwelveChars1",
        })
      ).body.status,
    ).toBe("invalid_sender");
  });

  it("when none of those requests succeeded, nothing was charged and no message exists", async () => {
    const charges =
      await sql`select count(*)::int as n from pricing.ledger where kind = 'charge' and account_id = ${account.accountId}`;
    expect(charges[0]?.n).toBe(0);
    const events =
      await sql`select count(*)::int as n from event_store.events where account_id = ${account.accountId}`;
    expect(events[0]?.n).toBe(0);
  });

  it("when one account sends over its limit, it answers 429 rate_limit with Retry-After", async () => {
    const busy = await gateway.pricing.accounts.createAccount({
      name: "errors-busy",
      credits: "10",
    });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        get({ ...creds(busy), ...valid, toNumber: "+3725", fromNumber: "MyApp" }),
      ),
    );
    const limited = answers.filter((a) => a.http === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.body.status).toBe("rate_limit");
    expect(Number(limited[0]?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(answers.filter((a) => a.body.status === "invalid_phone").length).toBeGreaterThan(0);
  });

  it("when pricing is down, it answers 500 server_error and nothing is accepted", async () => {
    await gateway.stopService("pricing");
    const answer = await get({ ...creds(account), ...valid });
    expect(answer).toMatchObject({ http: 500, body: { status: "server_error" } });
    expect(answer.text).not.toMatch(/Error:|at .*\.ts/);
  });

  it("when one client IP floods, it answers 429 before any other check", async () => {
    const answers = await Promise.all(
      Array.from({ length: 120 }, () => get({ nothing: "at all" })),
    );
    const limited = answers.filter((a) => a.http === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((a) => a.body.status === "rate_limit")).toBe(true);
  });
});
