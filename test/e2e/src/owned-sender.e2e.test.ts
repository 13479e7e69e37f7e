import { waitFor } from "@smsgw/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { smppCustomer } from "./smpp-customer.ts";

// api.md section 5: "A numeric fromNumber that is an owned number is always a valid sender for
// that account." The operator makes Estonia take registered senders only; the account takes a
// number through the API (the inbound service writes who holds it to the numbers bucket) and
// sends from it over HTTP and over SMPP; once released, the number is refused again.
const ADMIN_TOKEN = "routing-admin-token-for-tests";
const NUMBER = "+37250000001";
let gateway: Gateway;
let account: { accountId: string; hash: string; token: string };
let smpp: { systemId: string; password: string };
const customer = smppCustomer(
  () => gateway.smppServer?.port,
  () => smpp,
);

beforeAll(async () => {
  gateway = await startGateway(
    {},
    {
      inbound: true,
      smppServer: true,
      envOf: (service) =>
        service === "routing" ? { ADMIN_TOKEN, ADMIN_PORT: "0" } : ({} as Record<string, string>),
    },
  );
  await gateway.inbound?.numbers.put({
    number: NUMBER,
    carrierId: "sim-a",
    country: "EE",
    simulator: true,
  });
  account = await gateway.pricing.accounts.createAccount({ name: "owned-sender", credits: "10" });
  smpp = await gateway.pricing.accounts.rotateSmppCredentials("owned-sender");
  const rule = await fetch(`http://127.0.0.1:${gateway.routing.adminPort}/v1/senders/372`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      alphanumericAllowed: true,
      registeredOnly: true,
      registeredSenders: ["Bank"],
    }),
  });
  expect(rule.status).toBe(200);
});

afterEach(() => customer.closeAll());
afterAll(async () => {
  await gateway?.stop();
});

function api(method: string, path: string, body?: unknown) {
  return fetch(`${gateway.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${account.hash}:${account.token}`).toString("base64")}`,
      "content-type": "application/json",
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const send = async (from: string) => {
  const res = await api("POST", "/v1/messages", { to: "+37256789045", from, text: "hi" });
  return { http: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("an owned number as the sender, through ingress and the SMPP server", () => {
  it("when the number is not the account's, Estonia's registered-only rule refuses it", async () => {
    const refused = await waitFor(
      async () => {
        const answer = await send(NUMBER);
        return answer.body.status === "invalid_sender" ? answer : undefined;
      },
      { what: "the sender rule at ingress" },
    );
    expect(refused.http).toBe(422);
  });

  it("when the account takes the number, it sends from it over HTTP and SMPP; released, it is refused again", async () => {
    expect((await api("POST", "/v1/numbers", { number: NUMBER })).status).toBe(201);
    const accepted = await waitFor(
      async () => {
        const answer = await send(NUMBER);
        return answer.http === 202 ? answer : undefined;
      },
      { what: "ingress to know the number is the account's" },
    );
    expect(accepted.body.from).toBe(NUMBER);

    const session = await customer.bound();
    const fromNumber = await waitFor(
      async () => {
        const resp = await customer.submit(session, {
          source_addr_ton: 1,
          source_addr_npi: 1,
          source_addr: NUMBER.slice(1),
          short_message: "hi",
        });
        return resp.command_status === 0 ? resp : undefined;
      },
      { what: "the SMPP server to know the number is the account's" },
    );
    expect(String(fromNumber.message_id)).toMatch(/^msg_/);
    const other = await customer.submit(session, {
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: "37250000002",
      short_message: "hi",
    });
    expect(other.command_status).toBe(0x0a); // ESME_RINVSRCADR: invalid_sender

    expect((await api("DELETE", `/v1/numbers/${encodeURIComponent(NUMBER)}`)).status).toBe(204);
    await waitFor(async () => (await send(NUMBER)).body.status === "invalid_sender" || undefined, {
      what: "ingress to forget the released number",
    });
    await waitFor(
      async () =>
        (
          await customer.submit(session, {
            source_addr_ton: 1,
            source_addr_npi: 1,
            source_addr: NUMBER.slice(1),
            short_message: "hi",
          })
        ).command_status === 0x0a || undefined,
      { what: "the SMPP server to forget the released number" },
    );
  });
});
