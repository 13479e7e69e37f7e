import { type ServiceProcess, startServiceProcess, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Harness, NUMBERS, query, startHarness } from "../testing/harness.ts";

let h: Harness;
let eventStore: ServiceProcess;
let messageId: string;

const basic = (hash: string, token: string) => ({
  headers: { authorization: `Basic ${Buffer.from(`${hash}:${token}`).toString("base64")}` },
});

beforeAll(async () => {
  h = await startHarness();
  // The real event store folds the accepted event into the projection the ingress reads.
  eventStore = await startServiceProcess("event-store", h.infra.envOf("event-store"));
  const sent = await call(
    `${h.base}/?${query({
      hash: h.account.hash,
      token: h.account.token,
      toNumber: NUMBERS.charged,
      fromNumber: "MyApp",
      text: "Привет мир! ".repeat(12),
    })}`,
  );
  expect(sent.body.status).toBe("success");
  messageId = String(sent.body.messageId);
});
afterAll(async () => {
  await eventStore?.stop();
  await h?.stop();
});

const statusUrl = (id: string) => `${h.base}/v1/messages/${id}`;

describe("GET /v1/messages/:id", () => {
  it("when the owner asks with HTTP Basic, it answers the message resource", async () => {
    const answer = await waitFor(async () => {
      const a = await call(statusUrl(messageId), basic(h.account.hash, h.account.token));
      return a.httpStatus === 200 ? a : undefined;
    });
    expect(answer.body).toEqual({
      messageId,
      status: "queued",
      to: NUMBERS.charged,
      from: "MyApp",
      parts: 3,
      cost: 0.126,
      currency: "EUR",
      reference: null,
      errorCode: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      statusTimes: { queued: expect.any(String) },
      sendAt: null,
      validUntil: null,
    });
    expect(answer.body).not.toHaveProperty("accountId");
  });

  it("when a message was sent with POST /v1/messages or in a batch, it answers the resource the 202 or the batch answered, times and schedule included", async () => {
    const auth = basic(h.account.hash, h.account.token);
    const post = (path: string, body: unknown) =>
      call(`${h.base}${path}`, {
        method: "POST",
        headers: { ...auth.headers, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const message = { to: NUMBERS.charged, from: "MyApp", text: "same resource" };
    const answered: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 5; i++) answered.push((await post("/v1/messages", message)).body);
    // A scheduled one with a validity: the GET shows its schedule as the 202 did.
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const validUntil = new Date(Date.now() + 7_200_000).toISOString();
    const scheduled = (await post("/v1/messages", { ...message, sendAt, validUntil })).body;
    expect(scheduled).toMatchObject({ sendAt, validUntil });
    answered.push(scheduled);
    const batch = await post("/v1/messages/batch", { messages: Array(5).fill(message) });
    for (const item of batch.body.results as Array<{ resource: Record<string, unknown> }>) {
      answered.push(item.resource);
    }
    for (const resource of answered) {
      const read = await waitFor(async () => {
        const a = await call(statusUrl(String(resource.messageId)), auth);
        return a.httpStatus === 200 ? a : undefined;
      });
      expect(read.body).toEqual(resource);
    }
  });

  it("when the owner asks with hash and token query fields, it answers the same", async () => {
    const answer = await call(
      `${statusUrl(messageId)}?${query({ hash: h.account.hash, token: h.account.token })}`,
    );
    expect(answer.httpStatus).toBe(200);
    expect(answer.body.messageId).toBe(messageId);
  });

  it("when another account asks, it answers 404 not_found (not 403)", async () => {
    const other = await h.putAccount();
    const answer = await waitFor(async () => {
      const a = await call(statusUrl(messageId), basic(other.hash, other.token));
      return a.httpStatus === 401 ? undefined : a;
    });
    expect(answer.httpStatus).toBe(404);
    expect(answer.body.status).toBe("not_found");
  });

  it("when the id is unknown or malformed, it answers 404 not_found", async () => {
    const auth = basic(h.account.hash, h.account.token);
    const unknown = await call(statusUrl("msg_01KZZZZZZZZZZZZZZZZZZZZZZZ"), auth);
    expect(unknown.httpStatus).toBe(404);
    expect(unknown.body.status).toBe("not_found");
    const malformed = await call(statusUrl("not-an-id"), auth);
    expect(malformed.httpStatus).toBe(404);
  });

  it("when the credentials are wrong or missing, it answers 401 auth_failed", async () => {
    const wrong = await call(statusUrl(messageId), basic(h.account.hash, "wrong"));
    expect(wrong.httpStatus).toBe(401);
    expect(wrong.body.status).toBe("auth_failed");
    const missing = await call(statusUrl(messageId));
    expect(missing.httpStatus).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Basic/);
  });

  it("when the method is not GET, it answers 405", async () => {
    const answer = await call(statusUrl(messageId), { method: "DELETE" });
    expect(answer.httpStatus).toBe(405);
    expect(answer.headers.get("allow")).toBe("GET");
  });
});
