import { waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { smppCustomer } from "./smpp-customer.ts";

// The sender ID registry (issue 18, ADR 0019 amendment 2): the operator turns it on for
// Estonia; an account asks for "MyBrand" (POST /v1/senders), the operator approves it, and
// only then, and only for that account, does a send from MyBrand pass the door.
const ROUTING_TOKEN = "routing-admin-token-for-tests";
const INBOUND_TOKEN = "inbound-admin-token-for-tests";
type Account = { accountId: string; hash: string; token: string };
let gateway: Gateway;
let brand: Account;
let other: Account;
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
      envOf: (service): Record<string, string> => {
        if (service === "routing") return { ADMIN_TOKEN: ROUTING_TOKEN, ADMIN_PORT: "0" };
        if (service === "inbound") return { ADMIN_TOKEN: INBOUND_TOKEN, ADMIN_PORT: "0" };
        return {};
      },
    },
  );
  brand = await gateway.pricing.accounts.createAccount({ name: "brand-owner", credits: "10" });
  other = await gateway.pricing.accounts.createAccount({ name: "impostor", credits: "10" });
  smpp = await gateway.pricing.accounts.rotateSmppCredentials("brand-owner");
  const rule = await fetch(`http://127.0.0.1:${gateway.routing.adminPort}/v1/senders/372`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ROUTING_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      alphanumericAllowed: true,
      registeredOnly: false,
      registeredSenders: [],
      accountRegistry: true,
    }),
  });
  expect(rule.status).toBe(200);
});

afterAll(async () => {
  customer.closeAll();
  await gateway?.stop();
});

function api(who: Account, method: string, path: string, body?: unknown) {
  return fetch(`${gateway.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${who.hash}:${who.token}`).toString("base64")}`,
      "content-type": "application/json",
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const send = async (who: Account, from: string) => {
  const res = await api(who, "POST", "/v1/messages", { to: "+37256789045", from, text: "hi" });
  return { http: res.status, body: (await res.json()) as Record<string, unknown> };
};
const refusedFrom = (who: Account, from: string) =>
  waitFor(
    async () => ((await send(who, from)).body.status === "invalid_sender" ? true : undefined),
    {
      what: `a send from ${from} refused with invalid_sender`,
    },
  );

function decide(accountId: string, sender: string, decision: "approve" | "reject") {
  const port = gateway.inbound?.adminPort;
  return fetch(
    `http://127.0.0.1:${port}/v1/sender-ids/${accountId}/${encodeURIComponent(sender)}/${decision}`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${INBOUND_TOKEN}` },
    },
  );
}

describe("sender IDs registered per account", () => {
  it("when the registry is on, an unregistered alphanumeric sender is invalid_sender; a numeric one is judged as before", async () => {
    await refusedFrom(brand, "MyBrand");
    const refused = await send(brand, "MyBrand");
    expect(refused.http).toBe(422);
    expect(refused.body.message).toContain("registered to your account");
    expect((await send(brand, "37255550000")).http).toBe(202);
  });

  it("when the account asks for a sender ID, it is pending and still refused; a numeric one cannot be asked for", async () => {
    const asked = await api(brand, "POST", "/v1/senders", { sender: "MyBrand" });
    expect(asked.status).toBe(201);
    expect(await asked.json()).toMatchObject({
      sender: "MyBrand",
      status: "pending",
      decidedAt: null,
    });
    const again = await api(brand, "POST", "/v1/senders", { sender: "MyBrand" });
    expect(again.status).toBe(200);
    const numeric = await api(brand, "POST", "/v1/senders", { sender: "37255550000" });
    expect(numeric.status).toBe(400);
    expect((await send(brand, "MyBrand")).body.status).toBe("invalid_sender");
  });

  it("when the operator approves it, the account sends from it; another account still cannot", async () => {
    expect((await decide(brand.accountId, "MyBrand", "approve")).status).toBe(200);
    await waitFor(async () => ((await send(brand, "MyBrand")).http === 202 ? true : undefined), {
      what: "the approved sender ID at ingress",
    });
    const listed = (await (await api(brand, "GET", "/v1/senders")).json()) as {
      senders: Array<Record<string, unknown>>;
    };
    // The SMPP door asks the same registry.
    const session = await customer.bound();
    const submitted = await waitFor(
      async () => {
        const resp = await customer.submit(session, {
          source_addr: "MyBrand",
          short_message: "hi",
        });
        return resp.command_status === 0 ? resp : undefined;
      },
      { what: "the approved sender ID at the SMPP server" },
    );
    expect(String(submitted.message_id)).toMatch(/^msg_/);
    expect(listed.senders).toEqual([
      expect.objectContaining({ sender: "MyBrand", status: "approved" }),
    ]);
    expect((await send(other, "MyBrand")).body.status).toBe("invalid_sender");
    expect((await api(other, "DELETE", "/v1/senders/MyBrand")).status).toBe(404);
  });

  it("when the account withdraws it, it is refused again", async () => {
    expect((await api(brand, "DELETE", "/v1/senders/MyBrand")).status).toBe(204);
    await refusedFrom(brand, "MyBrand");
    const session = await customer.bound();
    await waitFor(
      async () => {
        const resp = await customer.submit(session, {
          source_addr: "MyBrand",
          short_message: "hi",
        });
        return resp.command_status === 0x0a || undefined; // ESME_RINVSRCADR: invalid_sender
      },
      { what: "the withdrawn sender ID refused over SMPP" },
    );
  });

  it("when it is all done, the audit log holds each change once, by the credential ingress verified or the operator", async () => {
    const sql = postgres(gateway.infra.database.url, { max: 1, onnotice: () => undefined });
    try {
      const rows = await sql<Array<{ action: string; actor: string; ip: string | null }>>`
        select action, actor, ip from inbound.audit_log
        where account_id = ${brand.accountId} and target = 'MyBrand' order by id`;
      expect(rows.map((r) => [r.action, r.actor, r.ip === null ? null : "an address"])).toEqual([
        ["sender_id.requested", "api:token", "an address"],
        ["sender_id.approved", "admin-api", "an address"],
        ["sender_id.withdrawn", "api:token", "an address"],
      ]);
    } finally {
      await sql.end();
    }
  });
});
