import { waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";

/**
 * Issue 23 / ADR 0011, through the whole gateway: a carrier configured with a 16-bit-reference
 * UDH (sim-a, which takes +372) is billed the parts it is sent. Before, 306 GSM-7 characters
 * were charged 2 parts (153 a part) and reached the SMSC as 3 (152 a part).
 */

let gateway: Gateway;
let account: { hash: string; token: string };

beforeAll(async () => {
  gateway = await startGateway(
    {},
    {
      connectorCarriers: (carriers) =>
        carriers.map((carrier) =>
          carrier.id === "sim-a" ? { ...carrier, concat: "udh16" } : carrier,
        ),
    },
  );
  account = await gateway.pricing.accounts.createAccount({ name: "e2e-udh16", credits: "10" });
});

afterAll(async () => {
  await gateway?.stop();
});

async function send(toNumber: string, text: string) {
  const query = new URLSearchParams({
    hash: account.hash,
    token: account.token,
    fromNumber: "MyApp",
    toNumber,
    text,
  });
  const res = await fetch(`${gateway.baseUrl}/?${query}`);
  return { http: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("a carrier with a 16-bit-reference UDH", () => {
  it("when 306 GSM-7 characters go to it, the parts charged are the parts the SMSC receives: 3", async () => {
    const text = `${"b".repeat(300)} udh16`;
    const { http, body } = await send("+37256789045", text);
    expect(http).toBe(200);
    expect(body).toMatchObject({ status: "success", parts: 3, cost: 0.126 });

    const received = await waitFor(
      () => {
        const parts = gateway.simulator
          .submissions()
          .filter((s) => s.carrierId === "sim-a" && s.destination === "37256789045");
        return parts.length >= 3 ? parts : undefined;
      },
      { what: "the message's parts at the SMSC" },
    );
    expect(received).toHaveLength(3);
    expect(received.map((s) => s.udh?.total)).toEqual([3, 3, 3]);
    expect(received.map((s) => s.text).join("")).toBe(text);
  });

  it("when 1,530 GSM-7 characters go to it, they are 11 parts there, over the limit: refused, not charged", async () => {
    const { http, body } = await send("+37256789045", "c".repeat(1530));
    expect(http).toBe(400);
    expect(body).toMatchObject({ status: "invalid_params" });
    expect(String(body.message)).toMatch(/^text is 11 parts long/);
  });
});
