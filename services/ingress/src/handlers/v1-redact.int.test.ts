import { eventIdFor, type MessageEvent } from "@smsgw/contracts";
import {
  type ServiceProcess,
  startServiceProcess,
  tablesContaining,
  waitFor,
} from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Harness, startHarness, type TestAccount } from "../testing/harness.ts";

let h: Harness;
let eventStore: ServiceProcess;
let sql: postgres.Sql;

beforeAll(async () => {
  h = await startHarness({ IP_RATE_PER_SEC: "10000", IP_BURST: "10000" });
  eventStore = await startServiceProcess("event-store", h.infra.envOf("event-store"));
  sql = postgres(h.infra.database.url, { max: 1, onnotice: () => undefined });
});
afterAll(async () => {
  await sql?.end();
  await eventStore?.stop();
  await h?.stop();
});

const auth = (account: TestAccount = h.account) => ({
  authorization: `Basic ${Buffer.from(`${account.hash}:${account.token}`).toString("base64")}`,
});
const redact = (id: string, account?: TestAccount) =>
  call(`${h.base}/v1/messages/${id}/redact`, { method: "POST", headers: auth(account) });

/** Sends with an Idempotency-Key (so ingress keeps the answer) a text and number no other test uses. */
async function send() {
  const to = `+37256${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const secret = Math.random().toString(36).slice(2);
  const text = `erase me ${secret}`;
  const sent = await call(`${h.base}/v1/messages`, {
    method: "POST",
    headers: {
      ...auth(),
      "content-type": "application/json",
      "idempotency-key": `redact-${secret}`,
    },
    body: JSON.stringify({ to, from: "MyApp", text }),
  });
  expect(sent.httpStatus).toBe(202);
  const id = String(sent.body.messageId);
  await waitFor(
    async () => (await call(`${h.base}/v1/messages/${id}`, { headers: auth() })).httpStatus === 200,
  );
  return { id, to, text };
}

/** Ends the message as routing would when no carrier takes it. */
async function fail(id: string): Promise<void> {
  const failed: MessageEvent = {
    eventId: eventIdFor(id, "failed"),
    type: "MessageFailed",
    version: 1,
    messageId: id,
    accountId: h.account.accountId,
    occurredAt: new Date().toISOString(),
    data: { reason: "no_route", errorCode: null, detail: "no route" },
  };
  await h.messaging.publisher.publishAll([failed]);
  await waitFor(async () => {
    const answer = await call(`${h.base}/v1/messages/${id}`, { headers: auth() });
    return answer.body.status === "failed";
  });
}

describe("POST /v1/messages/:id/redact", () => {
  it("when the message is final, it answers 200 with the text null and the number masked, and neither is in any table", async () => {
    const message = await send();
    expect(await tablesContaining(sql, message.to)).not.toEqual([]);

    const inFlight = await redact(message.id);
    expect(inFlight.httpStatus).toBe(409);
    expect(inFlight.body.status).toBe("message_in_flight");

    await fail(message.id);
    // Another account's credentials: 404, once ingress knows that account (401 until then).
    const other = await h.putAccount();
    const byOther = await waitFor(async () => {
      const a = await redact(message.id, other);
      return a.httpStatus === 401 ? undefined : a;
    });
    expect(byOther.httpStatus).toBe(404);

    const answer = await redact(message.id);
    expect(answer.httpStatus).toBe(200);
    const masked = `${message.to.slice(0, 8)}****`;
    expect(answer.body).toMatchObject({
      messageId: message.id,
      status: "failed",
      to: masked,
      text: null,
      parts: 1,
      cost: 0.042,
      errorCode: "no_route",
    });
    expect(await tablesContaining(sql, message.text)).toEqual([]);
    expect(await tablesContaining(sql, message.to)).toEqual([]);

    const again = await redact(message.id);
    expect(again.httpStatus).toBe(200);
    expect(again.body).toEqual(answer.body);
    const read = await call(`${h.base}/v1/messages/${message.id}`, { headers: auth() });
    expect(read.body.to).toBe(masked);
  });

  it("when the id is unknown or not a message id, it answers 404", async () => {
    expect((await redact("msg_01JZZZZZZZZZZZZZZZZZZZZZZZ")).httpStatus).toBe(404);
    expect((await redact("nope")).httpStatus).toBe(404);
  });
});
