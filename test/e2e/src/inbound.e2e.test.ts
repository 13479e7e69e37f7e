import { waitFor } from "@smsgw/testkit";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

// Two-way messaging through the real SMPP simulator (api.md section 5): MO from the simulator
// over SMPP to the connector, the inbound service, the dispatcher and a real HTTP receiver.
const ADMIN_TOKEN = "inbound-admin-token-for-tests";
const SIM_NUMBERS = ["+37250000001", "+37250000002", "+37250000003", "+37250000004"];
const REAL_NUMBER = "+37250000009";
const UNOWNED = "+37250000008";
const HANDSET = "+37256789045";

type Account = { accountId: string; hash: string; token: string; webhookSecret: string };
let gateway: Gateway;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let account: Account;
let other: Account;

beforeAll(async () => {
  gateway = await startGateway(
    { INBOUND_CONCAT_TIMEOUT_MS: "1500", INBOUND_SWEEP_MS: "200" },
    {
      inbound: true,
      envOf: (service) =>
        service === "inbound" ? { ADMIN_TOKEN, ADMIN_PORT: "0" } : ({} as Record<string, string>),
    },
  );
  receiver = await startWebhookReceiver();
  const inbound = gateway.inbound;
  if (!inbound) throw new Error("the gateway runs no inbound service");
  for (const number of SIM_NUMBERS) {
    await inbound.numbers.put({ number, carrierId: "sim-a", country: "EE", simulator: true });
  }
  await inbound.numbers.put({
    number: REAL_NUMBER,
    carrierId: "sim-b",
    country: "EE",
    simulator: false,
  });
  account = await gateway.pricing.accounts.createAccount({ name: "e2e-inbound", credits: "1" });
  other = await gateway.pricing.accounts.createAccount({ name: "e2e-inbound-2", credits: "1" });
});

afterAll(async () => {
  await receiver?.close();
  await gateway?.stop();
});

function call(
  who: Account,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const basic = Buffer.from(`${who.hash}:${who.token}`).toString("base64");
  return fetch(`${gateway.baseUrl}${path}`, {
    method,
    headers: {
      ...headers,
      authorization: `Basic ${basic}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function json(response: Response): Promise<{ http: number; body: Record<string, unknown> }> {
  const text = await response.text();
  return { http: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Takes a number for the account and points its inbound URL at the receiver. */
async function takeNumber(who: Account, number: string, path = "/mo") {
  const taken = await json(await call(who, "POST", "/v1/numbers", { number }));
  expect(taken.http).toBe(201);
  const patched = await json(
    await call(who, "PATCH", `/v1/numbers/${encodeURIComponent(number)}`, {
      inboundUrl: receiver.url(path),
    }),
  );
  expect(patched.http).toBe(200);
  expect(patched.body.inboundUrl).toBe(receiver.url(path));
}

/** Sends an MO from the simulator's carrier over its SMPP bind (retried until one is bound). */
async function sendMo(mo: Parameters<Gateway["simulator"]["sendMo"]>[1]) {
  const status = await waitFor(
    async () => {
      try {
        return { status: await gateway.simulator.sendMo("sim-a", mo) };
      } catch {
        return undefined;
      }
    },
    { what: "an SMPP receiver bound to sim-a" },
  );
  expect(status.status).toBe(0);
}

const inboundTo = (to: string) =>
  waitFor(() => receiver.received.find((w) => w.json.type === "inbound" && w.json.to === to), {
    timeoutMs: 20_000,
    what: `an inbound webhook for ${to}`,
  });

describe("inbound messages", () => {
  it("when an MO reaches a number the account owns, it is POSTed signed to the number's inbound URL and listed by GET /v1/inbound", async () => {
    const to = SIM_NUMBERS[0] as string;
    await takeNumber(account, to);
    await sendMo({ from: HANDSET, to, text: "Hello there" });

    const hook = await inboundTo(to);
    expect(hook.path).toBe("/mo");
    expect(hook.json).toEqual({
      type: "inbound",
      id: expect.stringMatching(/^in_[0-9A-Z]{26}$/),
      from: HANDSET,
      to,
      text: "Hello there",
      parts: 1,
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const verified = new Webhook(account.webhookSecret).verify(hook.body, {
      "webhook-id": String(hook.headers["webhook-id"]),
      "webhook-timestamp": String(hook.headers["webhook-timestamp"]),
      "webhook-signature": String(hook.headers["webhook-signature"]),
    });
    expect(verified).toMatchObject({ type: "inbound", text: "Hello there" });
    expect(hook.headers["webhook-id"]).toBe(hook.json.id);

    const list = await json(await call(account, "GET", "/v1/inbound"));
    expect(list.http).toBe(200);
    expect(list.body.inbound).toEqual([hook.json].map(({ type: _type, ...rest }) => rest));
    expect(list.body.nextCursor).toBeNull();
    const one = await json(await call(account, "GET", `/v1/inbound/${String(hook.json.id)}`));
    expect(one).toMatchObject({ http: 200, body: { id: hook.json.id, text: "Hello there" } });
    const foreign = await json(await call(other, "GET", `/v1/inbound/${String(hook.json.id)}`));
    expect(foreign).toMatchObject({ http: 404, body: { status: "not_found" } });
  });

  it.each([
    ["udh8", SIM_NUMBERS[1]],
    ["udh16", SIM_NUMBERS[2]],
    ["sar", SIM_NUMBERS[3]],
  ] as const)(
    "when a 3-part MO arrives (%s), it is delivered as one message",
    async (concat, to) => {
      await takeNumber(account, to as string);
      const text = `${concat}: ${"abcdefghij".repeat(40)}`;
      await sendMo({ from: HANDSET, to: to as string, text, concat, ref: 42 });
      const hook = await inboundTo(to as string);
      expect(hook.json).toMatchObject({ text, parts: 3 });
      // Exactly one webhook for the three parts.
      expect(receiver.received.filter((w) => w.json.to === to)).toHaveLength(1);
    },
  );

  it.each([
    ["a GSM-7 escape pair", "udh8", "Pay 5€ now, {thanks}", 6, "+37256789047"],
    ["a UCS-2 surrogate pair", "sar", "ok 😀 thanks", 8, "+37256789048"],
  ] as const)(
    "when the carrier cuts %s between two parts, the webhook has the text whole",
    async (_what, concat, text, at, from) => {
      // The number the 3-part udh8 case took for the account.
      const to = SIM_NUMBERS[1] as string;
      await sendMo({ from, to, text, concat, ref: 11, splitAt: [at] });
      const hook = await waitFor(
        () => receiver.received.find((w) => w.json.type === "inbound" && w.json.from === from),
        { timeoutMs: 20_000, what: `the MO from ${from}` },
      );
      expect(hook.json).toMatchObject({ to, text, parts: 2 });
    },
  );

  it("when parts never complete, the ones that came are delivered as they are after the timeout", async () => {
    const to = SIM_NUMBERS[0] as string;
    const part = (n: number) => String(n).repeat(153);
    const text = part(1) + part(2) + part(3);
    const before = receiver.received.length;
    await sendMo({ from: "+37256789046", to, text, concat: "udh8", ref: 7, onlyParts: [1, 3] });
    const hook = await waitFor(
      () =>
        receiver.received
          .slice(before)
          .find((w) => w.json.type === "inbound" && w.json.from === "+37256789046"),
      { timeoutMs: 20_000, what: "the incomplete MO after its timeout" },
    );
    expect(hook.json).toMatchObject({ text: part(1) + part(3), parts: 2 });
  });

  it("when an MO is sent to a number nobody owns, it is acknowledged and recorded for the operator", async () => {
    await sendMo({ from: HANDSET, to: UNOWNED, text: "anyone there?" });
    const adminPort = gateway.inbound?.adminPort;
    const unowned = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${adminPort}/v1/unowned-inbound`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        const body = (await res.json()) as { inbound: Array<Record<string, unknown>> };
        return body.inbound.find((m) => m.to === UNOWNED);
      },
      { what: "the unowned MO in the operator's list" },
    );
    expect(unowned).toMatchObject({ from: HANDSET, text: "anyone there?", accountId: null });
  });
});

describe("the numbers API", () => {
  it("when the account lists, releases and takes by country, it sees only its own numbers", async () => {
    const listed = await json(await call(account, "GET", "/v1/numbers"));
    expect(listed.http).toBe(200);
    const numbers = (listed.body.numbers as Array<Record<string, unknown>>).map((n) => n.number);
    expect(numbers).toEqual(expect.arrayContaining(SIM_NUMBERS));
    const none = await json(await call(other, "GET", "/v1/numbers"));
    expect(none.body).toEqual({ numbers: [] });

    const released = await call(account, "DELETE", `/v1/numbers/${SIM_NUMBERS[3]}`);
    expect(released.status).toBe(204);
    const taken = await json(await call(other, "POST", "/v1/numbers", { country: "EE" }));
    expect(taken).toMatchObject({
      http: 201,
      body: { number: SIM_NUMBERS[3], country: "EE", inboundUrl: null },
    });
  });

  it("when the number is unknown or another account's, PATCH and DELETE answer 404", async () => {
    for (const number of ["+37250000007", SIM_NUMBERS[3] as string]) {
      const patched = await json(
        await call(account, "PATCH", `/v1/numbers/${number}`, { inboundUrl: null }),
      );
      expect(patched).toMatchObject({ http: 404, body: { status: "not_found" } });
      const deleted = await json(await call(account, "DELETE", `/v1/numbers/${number}`));
      expect(deleted).toMatchObject({ http: 404, body: { status: "not_found" } });
    }
  });

  it("when a take is retried with its Idempotency-Key, the retry gets the number the first took, not a second one", async () => {
    expect((await call(other, "DELETE", `/v1/numbers/${SIM_NUMBERS[3]}`)).status).toBe(204);
    const key = { "idempotency-key": "take-ee-1" };
    const first = await call(other, "POST", "/v1/numbers", { country: "EE" }, key);
    const retried = await call(other, "POST", "/v1/numbers", { country: "EE" }, key);
    const [a, b] = [await json(first), await json(retried)];
    expect(a).toMatchObject({ http: 201, body: { number: SIM_NUMBERS[3] } });
    expect(b).toEqual(a);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    const held = await json(await call(other, "GET", "/v1/numbers"));
    expect((held.body.numbers as unknown[]).length).toBe(1);
    const reused = await json(
      await call(other, "POST", "/v1/numbers", { number: SIM_NUMBERS[3] }, key),
    );
    expect(reused).toMatchObject({ http: 422, body: { status: "idempotency_key_reused" } });
    const bad = await json(
      await call(other, "POST", "/v1/numbers", { country: "EE" }, { "idempotency-key": "é" }),
    );
    expect(bad).toMatchObject({ http: 400, body: { status: "invalid_params" } });
  });

  it("when inboundUrl is not an http(s) URL or carries credentials, it is refused as invalid_params", async () => {
    for (const inboundUrl of ["ftp://hooks.example.com/mo", "https://user:pw@hooks.example.com/"]) {
      const refused = await json(
        await call(account, "PATCH", `/v1/numbers/${SIM_NUMBERS[0]}`, { inboundUrl }),
      );
      expect(refused).toMatchObject({ http: 400, body: { status: "invalid_params" } });
      expect(String(refused.body.message)).toMatch(/^inboundUrl /);
    }
  });

  it("when an API key lacks the scope, numbers and opt-outs need manage and inbound messages read (403 forbidden)", async () => {
    const created = await json(
      await call(account, "POST", "/v1/keys", { name: "reader", scopes: ["read"] }),
    );
    expect(created.http).toBe(201);
    const reader = { ...account, token: String(created.body.secret) };
    const inbound = await waitFor(
      async () => {
        const answer = await json(await call(reader, "GET", "/v1/inbound"));
        return answer.http === 401 ? undefined : answer;
      },
      { what: "ingress to know the new key" },
    );
    expect(inbound.http).toBe(200);
    for (const path of ["/v1/numbers", "/v1/opt-outs"]) {
      const refused = await json(await call(reader, "GET", path));
      expect(refused, path).toMatchObject({ http: 403, body: { status: "forbidden" } });
    }
  });

  it("when no number fits (none free, or a real one for a test account), POST answers 422 no_number_available", async () => {
    const latvian = await json(await call(account, "POST", "/v1/numbers", { country: "LV" }));
    expect(latvian).toMatchObject({ http: 422, body: { status: "no_number_available" } });
    const real = await json(await call(account, "POST", "/v1/numbers", { number: REAL_NUMBER }));
    expect(real).toMatchObject({ http: 422, body: { status: "no_number_available" } });
    const both = await json(
      await call(account, "POST", "/v1/numbers", { country: "EE", number: REAL_NUMBER }),
    );
    expect(both).toMatchObject({ http: 400, body: { status: "invalid_params" } });
  });
});

describe("opt-outs", () => {
  const balance = async (who: Account) =>
    Number((await json(await call(who, "GET", "/v1/balance"))).body.balance);
  /** A send on the compatible endpoint: HTTP status and body. */
  const send = async (who: Account, toNumber: string) => {
    const query = new URLSearchParams({
      hash: who.hash,
      token: who.token,
      toNumber,
      fromNumber: "MyApp",
      text: "Our offer",
    });
    return json(await fetch(`${gateway.baseUrl}/?${query}`));
  };

  it("when a number sends STOP to the account's number, a send to it is refused opted_out and not charged; START lets sends through again", async () => {
    const handset = "+37256789047";
    const to = SIM_NUMBERS[0] as string;
    await sendMo({ from: handset, to, text: " Stop " });
    // The doors learn it through the opt-outs bucket's watch: until then a send goes out.
    const refused = await waitFor(
      async () => {
        const before = await balance(account);
        const answer = await send(account, handset);
        if (answer.body.status !== "opted_out") return undefined;
        return { answer, before, after: await balance(account) };
      },
      { timeoutMs: 20_000, what: "the send refused as opted_out" },
    );
    expect(refused.answer.http).toBe(200);
    expect(refused.after).toBe(refused.before);
    const v1 = await json(
      await call(account, "POST", "/v1/messages", { to: handset, from: "MyApp", text: "x" }),
    );
    expect(v1).toMatchObject({ http: 422, body: { status: "opted_out" } });
    // Only this account's list: another account may still send to the number.
    expect((await send(other, handset)).body.status).toBe("success");
    // The keyword is still an inbound message of the account.
    await waitFor(() => receiver.received.find((w) => w.json.from === handset), {
      what: "the STOP message's webhook",
    });

    await sendMo({ from: handset, to, text: "START" });
    const again = await waitFor(
      async () => {
        const answer = await send(account, handset);
        return answer.body.status === "success" ? answer : undefined;
      },
      { timeoutMs: 20_000, what: "sends to go through after START" },
    );
    expect(again.http).toBe(200);
  });

  it("when the carrier gives both numbers without their + (TON 0), the MO is the account's and its STOP puts the sender on the list", async () => {
    const handset = "+37256789049";
    const to = SIM_NUMBERS[0] as string;
    await sendMo({ from: handset.slice(1), to: to.slice(1), text: "STOP" });
    const hook = await waitFor(
      () => receiver.received.find((w) => w.json.type === "inbound" && w.json.from === handset),
      { timeoutMs: 20_000, what: "the STOP message's webhook" },
    );
    expect(hook.json).toMatchObject({ to, text: "STOP" });
    const listed = await json(await call(account, "GET", "/v1/opt-outs"));
    expect(listed.body.optOuts).toContainEqual(
      expect.objectContaining({ number: handset, source: "STOP" }),
    );
  });

  it("when the account edits its list, POST adds, GET lists, DELETE removes, and a number not on it is 404", async () => {
    const number = "+37256789048";
    const added = await json(await call(account, "POST", "/v1/opt-outs", { number }));
    expect(added).toMatchObject({ http: 201, body: { number, source: "API" } });
    const listed = await json(await call(account, "GET", "/v1/opt-outs"));
    expect((listed.body.optOuts as Array<{ number: string }>).map((o) => o.number)).toContain(
      number,
    );
    expect((await call(account, "DELETE", `/v1/opt-outs/${number}`)).status).toBe(204);
    const gone = await json(await call(account, "DELETE", `/v1/opt-outs/${number}`));
    expect(gone).toMatchObject({ http: 404, body: { status: "not_found" } });
    const bad = await json(await call(account, "POST", "/v1/opt-outs", { number: "hello" }));
    expect(bad).toMatchObject({ http: 400, body: { status: "invalid_params" } });
    for (const query of ["limit=0", "limit=1001", "cursor=bm9wZQ"]) {
      const refused = await json(await call(account, "GET", `/v1/opt-outs?${query}`));
      expect(refused).toMatchObject({ http: 400, body: { status: "invalid_params" } });
    }
  });
});
