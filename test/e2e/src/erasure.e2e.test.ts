import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { BaseEnv, connectNats, createLogger, loadConfig, type Nats } from "@smsgw/service-kit";
import { tablesContaining, waitFor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

/**
 * Erasure and retention on the whole stack through the simulator (api.md section 7, ADR
 * 0020): after a redact, and after the retention job ran with the clock moved past one,
 * the text and the number sent are in no row of any table of any schema of the gateway's
 * database (ingress, pricing, event store, connector, dispatcher, SMPP server, inbound: the
 * recipient's replies are erased with the messages, ADR 0021 amendment 2), and in no message
 * left in the event stream, read raw on every subject, the inbound (MO) ones too (ADR 0021
 * amendments 3 and 4: the stream's copies are deleted once every consumer of their subject
 * acked past them).
 */

/** A number of the inventory an account takes; another nobody holds (the operator's MO). */
const ACCOUNT_NUMBER = "+37250000061";
/** Held by an account whose inbound URL answers nothing: its MO's webhook waits in the jobs. */
const DEAD_URL_NUMBER = "+37250000062";
const UNOWNED = "+37250000068";
/** Held by an account whose inbound URL is the receiver: another handset's MO beside an erasure. */
const BYSTANDER_NUMBER = "+37250000063";

let gateway: Gateway;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
/** An endpoint that answers every webhook 503: its deliveries wait in the dispatcher's jobs. */
let unavailable: { port: number; close(): void };
let sql: postgres.Sql;
let nats: Nats;

beforeAll(async () => {
  // The retention job runs every second here (testkit's default is a day), the stream
  // eraser every 200 ms; consumers linger 100 ms for their batches, so messages sent
  // together often share envelopes after the acceptance too (routing's orders, the event
  // store's status changes).
  gateway = await startGateway(
    {
      ROUTES: "+372=sim-a:300",
      RETENTION_INTERVAL_MS: "1000",
      STREAM_ERASER_INTERVAL_MS: "200",
      CONSUMER_LINGER_MS: "100",
    },
    { smppServer: true, inbound: true },
  );
  for (const number of [ACCOUNT_NUMBER, DEAD_URL_NUMBER, BYSTANDER_NUMBER]) {
    await gateway.inbound?.numbers.put({
      number,
      carrierId: "sim-a",
      country: "EE",
      simulator: true,
    });
  }
  receiver = await startWebhookReceiver();
  const server = createServer((_req, res) => res.writeHead(503).end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  unavailable = { port: (server.address() as AddressInfo).port, close: () => server.close() };
  sql = postgres(gateway.infra.database.url, { max: 1, onnotice: () => undefined });
  // With the gateway's credentials when it runs under the permission file (TEST_NATS_AUTH).
  nats = await connectNats(
    loadConfig(BaseEnv, gateway.infra.env),
    "erasure",
    createLogger("t", "silent"),
  );
}, 120_000);

afterAll(async () => {
  await nats?.nc.close();
  await sql?.end();
  await receiver?.close();
  unavailable?.close();
  await gateway?.stop();
});

const basic = (a: { hash: string; token: string }) =>
  `Basic ${Buffer.from(`${a.hash}:${a.token}`).toString("base64")}`;

/** Sends, with an Idempotency-Key, a text and a number no other test uses; waits for delivered. */
const randomNumber = () => `+37256${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
const randomSecret = () => Math.random().toString(36).slice(2, 10);

/** A message of its own text to `to`, reported to the receiver. */
const erasable = (secret: string, to: string) => ({
  to,
  from: "MyApp",
  text: `erase me ${secret}`,
  callbackUrl: receiver.url("/dlr"),
});

async function delivered(messageId: string) {
  await waitFor(() => receiver.forMessage(messageId).find((w) => w.json.status === "delivered"), {
    timeoutMs: 30_000,
    what: "the delivered webhook",
  });
}

async function sendDelivered(
  account: { hash: string; token: string },
  idempotent = true,
  to = randomNumber(),
) {
  const secret = randomSecret();
  const message = erasable(secret, to);
  const res = await fetch(`${gateway.baseUrl}/v1/messages`, {
    method: "POST",
    headers: {
      authorization: basic(account),
      "content-type": "application/json",
      ...(idempotent ? { "idempotency-key": `erasure-${secret}` } : {}),
    },
    body: JSON.stringify(message),
  });
  expect(res.status).toBe(202);
  const { messageId } = (await res.json()) as { messageId: string };
  await delivered(messageId);
  return { messageId, to, text: message.text };
}

/**
 * Several messages in one `POST /v1/messages/batch`, each delivered: their accepted events are
 * stored as one envelope (ingress publishes a batch's acceptances together), so they share at
 * least that one whatever the timing of the stages after it.
 */
async function sendDeliveredTogether(account: { hash: string; token: string }, count: number) {
  const messages = Array.from({ length: count }, () => erasable(randomSecret(), randomNumber()));
  const res = await fetch(`${gateway.baseUrl}/v1/messages/batch`, {
    method: "POST",
    headers: { authorization: basic(account), "content-type": "application/json" },
    body: JSON.stringify({ messages }),
  });
  expect(res.status).toBe(200);
  const { results } = (await res.json()) as {
    results: Array<{ status: string; messageId?: string }>;
  };
  expect(results.map((r) => r.status)).toEqual(messages.map(() => "queued"));
  return Promise.all(
    messages.map(async ({ to, text }, index) => {
      const messageId = String(results[index]?.messageId);
      await delivered(messageId);
      return { messageId, to, text };
    }),
  );
}

/** The account takes a number of the inventory (and points its inbound URL somewhere). */
async function takeNumber(
  account: { hash: string; token: string },
  number: string,
  inboundUrl?: string,
) {
  const call = (method: string, path: string, body: unknown) =>
    fetch(`${gateway.baseUrl}${path}`, {
      method,
      headers: { authorization: basic(account), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  expect((await call("POST", "/v1/numbers", { number })).status).toBe(201);
  if (inboundUrl) {
    const path = `/v1/numbers/${encodeURIComponent(number)}`;
    expect((await call("PATCH", path, { inboundUrl })).status).toBe(200);
  }
}

/** The simulator sends an MO (as a handset would); answers once the inbound service stored it. */
async function handsetSends(from: string, to: string): Promise<string> {
  const text = `reply ${randomSecret()}`;
  const sent = await waitFor(
    async () => {
      try {
        return { status: await gateway.simulator.sendMo("sim-a", { from, to, text }) };
      } catch {
        return undefined; // no receiver bound to sim-a yet
      }
    },
    { what: "an SMPP receiver bound to sim-a" },
  );
  expect(sent.status).toBe(0);
  await waitFor(
    async () => (await sql`select 1 from inbound.messages where text = ${text}`).length === 1,
    { timeoutMs: 15_000, what: "the MO stored by the inbound service" },
  );
  return text;
}

const optOutStream = () => `KV_${gateway.infra.prefix}_opt_outs`;

/** The opt-out bucket's messages (live entries and delete markers) whose key holds the number. */
async function optOutBucketHolding(number: string): Promise<string[]> {
  const { first_seq, last_seq } = (await nats.jsm.streams.info(optOutStream())).state;
  const found: string[] = [];
  for (let seq = first_seq; seq > 0 && seq <= last_seq; seq++) {
    const message = await nats.jsm.streams.getMessage(optOutStream(), { seq }).catch(() => null);
    if (message?.subject.endsWith(`.${number.slice(1)}`)) found.push(message.subject);
  }
  return found;
}

/** The handset sends a keyword; answers once the opt-out bucket's last word on it is `operation`. */
async function handsetSendsKeyword(from: string, to: string, text: string, operation: string) {
  expect(await gateway.simulator.sendMo("sim-a", { from, to, text })).toBe(0);
  await waitFor(
    async () => {
      const subjects = await optOutBucketHolding(from);
      if (subjects.length === 0) return false;
      const last = await nats.jsm.streams.getMessage(optOutStream(), {
        last_by_subj: subjects[subjects.length - 1] ?? "",
      });
      return (last?.header?.get("KV-Operation") || "PUT") === operation;
    },
    { timeoutMs: 15_000, what: `the opt-out bucket after ${text}` },
  );
}

async function nowhere(needles: readonly string[]): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const needle of needles) {
    const tables = await tablesContaining(sql, needle);
    if (tables.length > 0) found[needle] = tables;
  }
  return found;
}

const stream = () => `${gateway.infra.prefix.toUpperCase()}_EVENTS`;

/** Every message the event stream still holds, raw, on every subject. */
async function streamMessages(): Promise<Array<{ seq: number; subject: string; body: string }>> {
  const { first_seq, last_seq } = (await nats.jsm.streams.info(stream())).state;
  const found: Array<{ seq: number; subject: string; body: string }> = [];
  for (let seq = first_seq; seq > 0 && seq <= last_seq; seq++) {
    const message = await nats.jsm.streams.getMessage(stream(), { seq });
    if (message) found.push({ seq, subject: message.subject, body: message.string() });
  }
  return found;
}

/** The stream messages holding any of the needles (a number also without its +), on every subject. */
async function inStream(needles: readonly string[]) {
  const variants = needles.flatMap((n) => (n.startsWith("+") ? [n, n.slice(1)] : [n]));
  return (await streamMessages()).filter((m) => variants.some((n) => m.body.includes(n)));
}

async function streamClean(needles: readonly string[], what: string): Promise<void> {
  await waitFor(async () => (await inStream(needles)).length === 0, {
    timeoutMs: 15_000,
    what,
  });
}

describe("erasure on the whole stack", () => {
  it("when a delivered message is redacted, its text and number are in no table of any service", async () => {
    const account = await gateway.pricing.accounts.createAccount({
      name: "e2e-redact",
      credits: "10",
    });
    const message = await sendDelivered(account);
    expect(await tablesContaining(sql, message.text)).not.toEqual([]);

    const res = await fetch(`${gateway.baseUrl}/v1/messages/${message.messageId}/redact`, {
      method: "POST",
      headers: { authorization: basic(account) },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "delivered",
      text: null,
      to: `${message.to.slice(0, 8)}****`,
    });
    // The dispatcher and the SMPP server take the notice a moment later.
    await waitFor(async () => Object.keys(await nowhere([message.text, message.to])).length === 0, {
      timeoutMs: 10_000,
      what: "the text and number gone from every table",
    });
    await streamClean([message.text, message.to], "the text and number gone from the stream");
  });

  it("when a message that shared stream envelopes with others is redacted, its copies go only once every reader is past them, and the others' events still reach every reader and the log", async () => {
    const account = await gateway.pricing.accounts.createAccount({
      name: "e2e-redact-shared",
      credits: "10",
    });
    // A reader of every subject that has read nothing yet: no copy may go before it acks.
    const reader = "e2e-slow-reader";
    await nats.jsm.consumers.add(stream(), {
      durable_name: reader,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const sent = await sendDeliveredTogether(account, 8);
    const [target, ...others] = sent as [(typeof sent)[number], ...typeof sent];
    const holding = await inStream([target.text, target.to]);
    const p = gateway.infra.prefix;
    expect(new Set(holding.map((m) => m.subject))).toEqual(
      new Set([`${p}.evt.accepted`, `${p}.submit.sim-a`, `${p}.status.changed`]),
    );
    // Envelopes that hold the target's content and another message's events too.
    const shared = holding.filter((m) => others.some((o) => m.body.includes(o.messageId)));
    expect(shared.length).toBeGreaterThan(0);

    const res = await fetch(`${gateway.baseUrl}/v1/messages/${target.messageId}/redact`, {
      method: "POST",
      headers: { authorization: basic(account) },
    });
    expect(res.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await inStream([target.text])).map((m) => m.seq)).toEqual(
      holding.filter((m) => m.body.includes(target.text)).map((m) => m.seq),
    );

    // The reader reads everything now: the shared envelopes bring it the others' events.
    const read = new Map<number, string>();
    const consumer = await nats.js.consumers.get(stream(), reader);
    while ((await nats.jsm.consumers.info(stream(), reader)).num_pending > 0) {
      const batch = await consumer.fetch({ max_messages: 500, expires: 1_000 });
      for await (const message of batch) {
        read.set(message.seq, message.string());
        await message.ackAck();
      }
    }
    for (const envelope of shared) {
      const body = read.get(envelope.seq) ?? "";
      expect(others.some((o) => body.includes(o.messageId))).toBe(true);
    }
    await streamClean([target.text, target.to], "the target's copies gone from the stream");
    await nats.jsm.consumers.delete(stream(), reader);

    // The others are logged as they were, content included, and delivered.
    for (const other of others) {
      const trail = await fetch(`${gateway.baseUrl}/v1/messages/${other.messageId}/events`, {
        headers: { authorization: basic(account) },
      });
      const types = ((await trail.json()) as { events: Array<{ type: string }> }).events.map(
        (e) => e.type,
      );
      expect(types).toEqual(
        expect.arrayContaining(["MessageAccepted", "MessageSubmitted", "ReceiptReceived"]),
      );
      expect(await tablesContaining(sql, other.text)).toContain("event_store.events");
    }
  });

  it("when an account's retention is over, the retention jobs erase its delivered message and the reply to it by themselves", async () => {
    const account = await gateway.pricing.accounts.createAccount({
      name: "e2e-retention",
      credits: "10",
    });
    await sql`insert into event_store.retention_overrides (account_id, days)
      values (${account.accountId}, 1)`;
    // Without an Idempotency-Key: ingress keeps a send's answer a day (ADR 0021).
    const message = await sendDelivered(account, false);
    // The recipient answers to the account's number: the inbound service keeps that MO by
    // the same days, which the event store publishes (ADR 0021, amendment 2).
    await takeNumber(account, ACCOUNT_NUMBER);
    const reply = await handsetSends(message.to, ACCOUNT_NUMBER);
    // The clock moved: the message was accepted and delivered, and the reply came, two days ago.
    await sql`update event_store.messages
      set created_at = created_at - interval '2 days', delivered_at = delivered_at - interval '2 days'
      where message_id = ${message.messageId}`;
    await sql`update inbound.messages set received_at = received_at - interval '2 days'
      where text = ${reply}`;
    await waitFor(
      async () => Object.keys(await nowhere([message.text, message.to, reply])).length === 0,
      { timeoutMs: 15_000, what: "the retention jobs to erase the message and the reply" },
    );
    // The reply's copies too (the MO's event and its delivery: ADR 0021, amendment 4).
    await streamClean(
      [message.text, message.to, reply],
      "the retention's erasures to reach the stream",
    );
    const res = await fetch(`${gateway.baseUrl}/v1/messages/${message.messageId}`, {
      headers: { authorization: basic(account) },
    });
    expect(await res.json()).toMatchObject({
      status: "delivered",
      cost: 0.042,
      to: `${message.to.slice(0, 8)}****`,
    });
  });

  it("when the operator erases a phone number, every account's messages to it are erased from every table", async () => {
    const to = `+37257${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
    const first = await gateway.pricing.accounts.createAccount({
      name: "e2e-forget-1",
      credits: "10",
    });
    const second = await gateway.pricing.accounts.createAccount({
      name: "e2e-forget-2",
      credits: "10",
    });
    const sent = [await sendDelivered(first, false, to), await sendDelivered(second, false, to)];
    // The person also wrote to a number nobody holds (an MO kept for the operator), and to
    // one whose webhook cannot be delivered (it waits in the dispatcher's jobs, retried).
    const reply = await handsetSends(to, UNOWNED);
    await takeNumber(first, DEAD_URL_NUMBER, `http://127.0.0.1:${unavailable.port}/mo`);
    const waiting = await handsetSends(to, DEAD_URL_NUMBER);
    // It also said STOP to the first account and START again: the START leaves a delete
    // marker in the opt-out bucket whose key holds the number.
    await handsetSendsKeyword(to, DEAD_URL_NUMBER, "STOP", "PUT");
    await handsetSendsKeyword(to, DEAD_URL_NUMBER, "START", "DEL");
    await waitFor(async () => (await tablesContaining(sql, waiting)).includes("dispatcher.jobs"), {
      what: "the inbound webhook waiting in the dispatcher's jobs",
    });

    // Another handset writes to the second account meanwhile: its MO is no part of the erasure.
    await takeNumber(second, BYSTANDER_NUMBER, receiver.url("/mo"));
    const bystander = `+37258${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
    const untouched = await handsetSends(bystander, BYSTANDER_NUMBER);

    const cli = fileURLToPath(new URL("../../../services/event-store/src/cli.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, "messages", "erase-number", to, "--json"],
      { env: { ...process.env, ...gateway.infra.env } },
    );
    expect(JSON.parse(stdout)).toEqual({ number: to, erased: 2, inFlight: [], notified: true });
    await waitFor(
      async () =>
        Object.keys(await nowhere([to, reply, waiting, ...sent.map((m) => m.text)])).length === 0,
      { timeoutMs: 10_000, what: "the number, both texts and the MO's gone from every table" },
    );
    await streamClean(
      [to, reply, waiting, ...sent.map((m) => m.text)],
      "the number, both texts and the MO's gone from the stream",
    );
    expect(await optOutBucketHolding(to)).toEqual([]);
    // The other handset's MO reached its webhook, and its copies are still in the stream.
    await waitFor(() => receiver.received.find((w) => w.json.text === untouched), {
      what: "the other handset's MO delivered to its webhook",
    });
    expect((await inStream([untouched, bystander])).length).toBeGreaterThan(0);
  });
});
