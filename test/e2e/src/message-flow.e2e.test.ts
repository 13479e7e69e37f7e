import { createMessageReader } from "@smsgw/message-read-model";
import { waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

let gateway: Gateway;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let sql: postgres.Sql;
let account: { accountId: string; hash: string; token: string; webhookSecret: string };

beforeAll(async () => {
  // Under the permission file (its own nats-server, ADR 0015): a grant missing fails here.
  gateway = await startGateway({}, { natsAuth: true });
  receiver = await startWebhookReceiver();
  sql = postgres(gateway.infra.database.url, { max: 2, onnotice: () => undefined });
  account = await gateway.pricing.accounts.createAccount({ name: "e2e-flow", credits: "10" });
});

afterAll(async () => {
  await sql?.end();
  await receiver?.close();
  await gateway?.stop();
});

async function send(params: Record<string, string>) {
  const query = new URLSearchParams({
    hash: account.hash,
    token: account.token,
    fromNumber: "MyApp",
    ...params,
  });
  const res = await fetch(`${gateway.baseUrl}/?${query}`);
  return { http: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function finalWebhook(messageId: string, status: string) {
  return waitFor(() => receiver.forMessage(messageId).find((w) => w.json.status === status), {
    timeoutMs: 20_000,
    what: `a ${status} webhook for ${messageId}`,
  });
}

async function trail(messageId: string) {
  const reader = createMessageReader(sql);
  const page = await reader.listEvents(messageId, account.accountId, { limit: 100 });
  return page?.events ?? [];
}

function countByType(events: Array<{ type: string }>) {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return counts;
}

describe("one message through every service", () => {
  it("when a message is sent with GET /?hash=…, it is delivered, reported by a signed webhook, and its trail lists every step once", async () => {
    const { http, body } = await send({
      toNumber: "+37256789045",
      text: "Hello from the gateway",
      callbackUrl: receiver.url("/dlr"),
    });
    expect(http).toBe(200);
    expect(body).toMatchObject({ status: "success", parts: 1, cost: 0.042, currency: "EUR" });
    const messageId = String(body.messageId);

    // It reached the carrier over SMPP.
    const submitted = await waitFor(() =>
      gateway.simulator
        .submissions()
        .find((s) => s.destination === "37256789045" && s.text === "Hello from the gateway"),
    );
    expect(submitted.carrierId).toBe("sim-a");
    expect(submitted.dataCoding).toBe(0);

    // The receipt came back and the webhook says delivered, with api.md's fields, signed.
    const delivered = await finalWebhook(messageId, "delivered");
    expect(delivered.json).toEqual({
      type: "status",
      messageId,
      status: "delivered",
      toNumber: "+37256789045",
      fromNumber: "MyApp",
      parts: 1,
      cost: 0.042,
      currency: "EUR",
      errorCode: null,
      reference: null,
      sequence: expect.any(Number),
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const verified = new Webhook(account.webhookSecret).verify(delivered.body, {
      "webhook-id": String(delivered.headers["webhook-id"]),
      "webhook-timestamp": String(delivered.headers["webhook-timestamp"]),
      "webhook-signature": String(delivered.headers["webhook-signature"]),
    });
    expect(verified).toMatchObject({ messageId, status: "delivered" });
    const sent = receiver.forMessage(messageId).find((w) => w.json.status === "sent");
    if (sent) expect(Number(sent.json.sequence)).toBeLessThan(Number(delivered.json.sequence));

    // The status query agrees.
    const res = await fetch(`${gateway.baseUrl}/v1/messages/${messageId}`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${account.hash}:${account.token}`).toString("base64")}`,
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      messageId,
      status: "delivered",
      parts: 1,
      cost: 0.042,
    });

    // Every step once (webhook attempts: one per reported status).
    const events = await waitFor(async () => {
      const list = await trail(messageId);
      return countByType(list).WebhookAttempted === receiver.forMessage(messageId).length
        ? list
        : undefined;
    });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(countByType(events)).toMatchObject({
      MessageAccepted: 1,
      MessageSubmitted: 1,
      ReceiptReceived: 1,
    });
    expect(countByType(events).SubmitFailed).toBeUndefined();
    // The charge rides on MessageAccepted (ADR 0009): pricing logs no MessageCharged.
    expect(countByType(events).MessageCharged).toBeUndefined();
    expect(events.find((e) => e.type === "MessageAccepted")?.data).toMatchObject({
      cost: 420,
      currency: "EUR",
      pricePerPart: 420,
    });
    // Routing hands its order over without logging it (ADR 0009): the submission says why.
    expect(countByType(events).MessageRouted).toBeUndefined();
    const submission = events.find((e) => e.type === "MessageSubmitted");
    expect(submission?.data).toMatchObject({ attempt: 1, reason: { matchedPrefix: "+372" } });
  });

  it("when a 3-part UCS-2 message is sent, three parts go out with concatenation headers and it is delivered once all three are", async () => {
    const text = `${"Привет из шлюза! ".repeat(8)}🙂`; // 138 UCS-2 units + a surrogate pair -> 3 parts
    const { body } = await send({
      toNumber: "+37256789046",
      text,
      callbackUrl: receiver.url("/dlr"),
    });
    expect(body).toMatchObject({ status: "success", parts: 3, cost: 0.126 });
    const messageId = String(body.messageId);

    const parts = await waitFor(() => {
      const found = gateway.simulator.submissions().filter((s) => s.destination === "37256789046");
      return found.length === 3 ? found : undefined;
    });
    expect(parts.map((p) => p.dataCoding)).toEqual([8, 8, 8]);
    expect(parts.map((p) => p.udh?.seq).sort()).toEqual([1, 2, 3]);
    expect(new Set(parts.map((p) => p.udh?.ref)).size).toBe(1);
    expect(parts.every((p) => p.udh?.total === 3)).toBe(true);
    const ordered = [...parts].sort((a, b) => (a.udh?.seq ?? 0) - (b.udh?.seq ?? 0));
    expect(ordered.map((p) => p.text).join("")).toBe(text);

    const delivered = await finalWebhook(messageId, "delivered");
    expect(delivered.json).toMatchObject({ parts: 3, cost: 0.126 });
    const events = await trail(messageId);
    expect(countByType(events).ReceiptReceived).toBe(3);
  });

  it("when the carrier cannot deliver, the message ends undelivered with the carrier's error and is reported so", async () => {
    const { body } = await send({
      toNumber: "+37255501234",
      text: "nobody home",
      callbackUrl: receiver.url("/dlr"),
    });
    expect(body.status).toBe("success");
    const messageId = String(body.messageId);
    const undelivered = await finalWebhook(messageId, "undelivered");
    expect(undelivered.json.errorCode).not.toBeNull();
    expect(receiver.forMessage(messageId).some((w) => w.json.status === "delivered")).toBe(false);
    const res = await fetch(
      `${gateway.baseUrl}/v1/messages/${messageId}?${new URLSearchParams({ hash: account.hash, token: account.token })}`,
    );
    expect(await res.json()).toMatchObject({ status: "undelivered" });
  });

  it("when the sender asks for final reports only, the receiver gets the final status and nothing before it", async () => {
    const { body } = await send({
      toNumber: "+37256789048",
      text: "finals only",
      callbackUrl: receiver.url("/finals"),
      callbackStatuses: "final",
    });
    expect(body.status).toBe("success");
    const messageId = String(body.messageId);
    await finalWebhook(messageId, "delivered");
    // The trail records the attempt once its batch is folded: then every report has gone out.
    await waitFor(async () => countByType(await trail(messageId)).WebhookAttempted === 1, {
      what: "the delivered report's attempt in the trail",
    });
    expect(receiver.forMessage(messageId).map((w) => w.json.status)).toEqual(["delivered"]);
  });

  it("when another account asks for the message, it is not found", async () => {
    const { body } = await send({ toNumber: "+37256789047", text: "mine" });
    const other = await gateway.pricing.accounts.createAccount({ name: "e2e-other", credits: "1" });
    const res = await fetch(
      `${gateway.baseUrl}/v1/messages/${String(body.messageId)}?${new URLSearchParams({ hash: other.hash, token: other.token })}`,
    );
    expect(res.status).toBe(404);
  });
});

// Last in the file: every flow above ran with each service under its own NATS user.
it("when the flows above ran under each service's own NATS user (the grants rendered for this file's prefix), the server logged no permission violation", () => {
  expect(gateway.natsViolations()).toEqual([]);
});
