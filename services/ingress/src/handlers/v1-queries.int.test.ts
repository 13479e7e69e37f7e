import { type ServiceProcess, startServiceProcess, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Harness, NUMBERS, startHarness } from "../testing/harness.ts";

let h: Harness;
let eventStore: ServiceProcess;

beforeAll(async () => {
  h = await startHarness({ IP_RATE_PER_SEC: "10000", IP_BURST: "10000" });
  eventStore = await startServiceProcess("event-store", h.infra.envOf("event-store"));
});
afterAll(async () => {
  await eventStore?.stop();
  await h?.stop();
});

const authHeader = () => ({
  authorization: `Basic ${Buffer.from(`${h.account.hash}:${h.account.token}`).toString("base64")}`,
});
const get = (path: string) => call(`${h.base}${path}`, { headers: authHeader() });

describe("GET /v1/messages/:id/events", () => {
  it("when the owner asks, it answers the trail oldest first, paged with a cursor", async () => {
    const sent = await call(`${h.base}/v1/messages`, {
      method: "POST",
      headers: { ...authHeader(), "content-type": "application/json" },
      body: JSON.stringify({ to: NUMBERS.charged, from: "MyApp", text: "trail" }),
    });
    const id = String(sent.body.messageId);
    const page = await waitFor(async () => {
      const a = await get(`/v1/messages/${id}/events?limit=1`);
      return a.httpStatus === 200 ? a : undefined;
    });
    expect(page.body).toEqual({
      events: [
        {
          eventId: `${id}:accepted`,
          type: "MessageAccepted",
          occurredAt: expect.any(String),
          data: expect.objectContaining({ to: NUMBERS.charged }),
        },
      ],
      nextCursor: null,
    });
    expect((await get(`/v1/messages/${id}/events?after=abc`)).httpStatus).toBe(400);
    // A cursor of ours edited: its shape holds, its time is no instant (Postgres refuses it).
    for (const time of [
      "2026-13-45T99:99:99.000Z",
      "2026-02-31T00:00:00.000Z",
      "0000-01-01T00:00:00.000Z",
    ]) {
      const forged = Buffer.from(`${time}|1|0`).toString("base64url");
      const answer = await get(`/v1/messages/${id}/events?after=${forged}`);
      expect([answer.httpStatus, answer.body], time).toEqual([
        400,
        { status: "invalid_params", message: "after is not a cursor this API handed out" },
      ]);
    }
    const misspelt = await get(`/v1/messages/${id}/events?cursor=abc`);
    expect(misspelt.httpStatus).toBe(400);
    expect(misspelt.body.message).toMatch(/cursor/);
    expect((await get(`/v1/messages/${id}/events?limit=0`)).body.status).toBe("invalid_params");
    const other = await h.putAccount();
    await waitFor(async () => {
      const a = await call(
        `${h.base}/v1/messages/${id}/events?hash=${other.hash}&token=${other.token}`,
      );
      return a.httpStatus === 404 ? a : undefined;
    });
  });
});

describe("GET /v1/balance and /v1/prices", () => {
  it("when asked, the balance comes from pricing as a decimal", async () => {
    const answer = await get("/v1/balance");
    expect(answer.httpStatus).toBe(200);
    expect(answer.body).toEqual({ balance: 12.5, currency: "EUR" });
  });

  it("when asked for a destination, it answers the price per part or why it is blocked", async () => {
    const price = await get(`/v1/prices?to=${encodeURIComponent(NUMBERS.charged)}`);
    expect(price.body).toEqual({
      to: NUMBERS.charged,
      country: "EE",
      pricePerPart: 0.042,
      currency: "EUR",
    });
    const blocked = await get(`/v1/prices?to=${encodeURIComponent(NUMBERS.blocked)}`);
    expect(blocked.httpStatus).toBe(422);
    expect(blocked.body).toEqual({
      status: "destination_blocked",
      message: "RU is blocked for this account",
    });
    expect((await get("/v1/prices?to=+3725")).body.status).toBe("invalid_phone");
    expect((await get("/v1/prices")).httpStatus).toBe(400);
  });

  it("when pricing does not answer, it is 500 server_error", async () => {
    await h.stopPricing();
    try {
      const answer = await get("/v1/balance");
      expect(answer.httpStatus).toBe(500);
      expect(answer.body.status).toBe("server_error");
    } finally {
      h.startPricing();
    }
  });
});

describe("GET /v1/phone/format", () => {
  it("when given a local number and a country, it answers E.164 with type and validity", async () => {
    const answer = await get(
      `/v1/phone/format?number=${encodeURIComponent("5678 9045")}&country=EE`,
    );
    expect(answer.body).toMatchObject({
      e164: "+37256789045",
      valid: true,
      country: "EE",
      type: "mobile",
    });
  });

  it("when the number cannot be read, it is 422 invalid_phone saying why", async () => {
    const answer = await get("/v1/phone/format?number=56789045");
    expect(answer.httpStatus).toBe(422);
    expect(answer.body.message).toContain("country code");
  });
});

describe("the OpenAPI document and the docs page", () => {
  it("when /openapi.json is asked, it is an OpenAPI 3.1 document covering every route", async () => {
    const answer = await call(`${h.base}/openapi.json`);
    expect(answer.body.openapi).toBe("3.1.0");
    expect(Object.keys(answer.body.paths as object).sort()).toEqual([
      "/",
      "/v1/balance",
      "/v1/inbound",
      "/v1/inbound/{id}",
      "/v1/keys",
      "/v1/keys/{keyId}",
      "/v1/messages",
      "/v1/messages/batch",
      "/v1/messages/cancel",
      "/v1/messages/export.csv",
      "/v1/messages/{messageId}",
      "/v1/messages/{messageId}/cancel",
      "/v1/messages/{messageId}/events",
      "/v1/messages/{messageId}/redact",
      "/v1/numbers",
      "/v1/numbers/{number}",
      "/v1/opt-outs",
      "/v1/opt-outs/{number}",
      "/v1/phone/format",
      "/v1/prices",
      "/v1/senders",
      "/v1/senders/{sender}",
      "/v1/subaccounts",
      "/v1/subaccounts/{subaccountId}/transfers",
    ]);
  });

  it("when /docs is asked, it is self-contained HTML with the examples", async () => {
    const answer = await call(`${h.base}/docs`);
    expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
    expect(answer.text).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
    for (const fragment of ["curl -s", "fetch(", "urllib.request", "import requests", "toNumber"]) {
      expect(answer.text).toContain(fragment.replace(/"/g, "&#34;"));
    }
  });
});
