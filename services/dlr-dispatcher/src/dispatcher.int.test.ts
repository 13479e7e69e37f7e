import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Kvm } from "@nats-io/kv";
import {
  type AccountRecord,
  type EventOf,
  MessageEvent,
  type MessageStatusChanged,
  newMessageId,
} from "@smsgw/contracts";
import {
  createLogger,
  type Messaging,
  openMessaging,
  type RunningConsumer,
  startConsumer,
} from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { pino } from "pino";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DlrDispatcherConfig, loadDlrDispatcherConfig } from "./config.ts";
import {
  DLR_DISPATCHER_DURABLE,
  type StartedDlrDispatcher,
  startDlrDispatcher,
} from "./service.ts";

const log = createLogger("dlr-dispatcher-test", "silent");
const newSecret = () => `whsec_${randomBytes(24).toString("base64")}`;

// --- a real HTTP receiver on 127.0.0.1 -----------------------------------------------

interface Received {
  body: string;
  headers: IncomingHttpHeaders;
  url: string;
  at: number;
}

interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

/** Answers the n-th request (from 0) with `answer(n)`: a status, or a status after a delay. */
async function startReceiver(
  answer: (n: number) => number | { status: number; afterMs: number } = () => 200,
): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const n = requests.length;
      requests.push({
        body: Buffer.concat(chunks).toString("utf8"),
        headers: req.headers,
        url: req.url ?? "",
        at: Date.now(),
      });
      const reply = answer(n);
      const { status, afterMs } = typeof reply === "number" ? { status: reply, afterMs: 0 } : reply;
      setTimeout(() => res.writeHead(status).end(), afterMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function verify(secret: string, request: Received): unknown {
  return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
}

// --- one isolated stack per describe --------------------------------------------------

interface Stack {
  infra: TestInfra;
  config: DlrDispatcherConfig;
  messaging: Messaging;
  recorder: RunningConsumer;
  attempts: EventOf<"WebhookAttempted">[];
  dispatcher: StartedDlrDispatcher | undefined;
  putAccount(record: AccountRecord): Promise<void>;
  close(): Promise<void>;
}

async function startStack(env: Record<string, string>): Promise<Stack> {
  const infra = await createTestInfra({ HEALTH_PORT: "0", ...env });
  const config = loadDlrDispatcherConfig(infra.env);
  const messaging = await openMessaging(config, "dlr-dispatcher-test", log);
  const kv = await new Kvm(messaging.nats.nc).create(messaging.subjects.accountsBucket, {
    history: 1,
  });
  const attempts: EventOf<"WebhookAttempted">[] = [];
  const recorder = await startConsumer(messaging.nats, {
    stream: messaging.subjects.stream,
    durable: "test-recorder",
    filterSubject: messaging.subjects.event("WebhookAttempted"),
    schema: MessageEvent,
    log,
    handle: async (batch) => {
      for (const { value } of batch) if (value.type === "WebhookAttempted") attempts.push(value);
      return undefined;
    },
  });
  const stack: Stack = {
    infra,
    config,
    messaging,
    recorder,
    attempts,
    dispatcher: undefined,
    async putAccount(record) {
      await kv.put(record.hash, JSON.stringify(record));
    },
    async close() {
      await stack.dispatcher?.stop();
      await recorder.stop();
      await messaging.close();
      await infra.cleanup();
    },
  };
  return stack;
}

function account(accountId: string, webhookSecrets: string[]): AccountRecord {
  return {
    accountId,
    hash: `h_${accountId}`,
    tokenSha256: "a".repeat(64),
    status: "active",
    currency: "EUR",
    test: true,
    webhookSecrets,
    updatedAt: new Date().toISOString(),
  };
}

function statusChange(
  accountId: string,
  callbackUrl: string | null,
  overrides: Partial<MessageStatusChanged> = {},
): MessageStatusChanged {
  return {
    type: "MessageStatusChanged",
    version: 1,
    messageId: newMessageId(),
    accountId,
    status: "delivered",
    sequence: 3,
    occurredAt: new Date().toISOString(),
    toNumber: "+37256789045",
    fromNumber: "MyApp",
    parts: 1,
    cost: 420,
    currency: "EUR",
    errorCode: null,
    reference: null,
    callbackUrl,
    ...overrides,
  };
}

// --- the dispatcher with private callbacks allowed (as the local stack runs it) -------

describe("dlr-dispatcher on real JetStream and HTTP", () => {
  let stack: Stack;
  const receivers: Receiver[] = [];
  const secrets = [newSecret(), newSecret()];
  const attemptsOf = (messageId: string) => stack.attempts.filter((a) => a.messageId === messageId);
  const receiver = async (answer?: Parameters<typeof startReceiver>[0]) => {
    const started = await startReceiver(answer);
    receivers.push(started);
    return started;
  };
  const publish = (...changes: MessageStatusChanged[]) =>
    stack.messaging.publisher.publishStatusChanges(changes);
  /** Every status change published so far has been acked (handled for good). */
  const settled = () =>
    waitFor(
      async () => {
        const info = await stack.messaging.nats.jsm.consumers.info(
          stack.messaging.subjects.stream,
          DLR_DISPATCHER_DURABLE,
        );
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { what: "the dispatcher to settle", timeoutMs: 15_000 },
    );

  // The dispatcher's warnings, to see a report held back for an unknown account.
  const warnings: string[] = [];
  const dispatcherLog = pino({ level: "warn" }, { write: (line: string) => warnings.push(line) });

  beforeAll(async () => {
    stack = await startStack({ WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_TIMEOUT_MS: "1500" });
    await stack.putAccount(account("acc_1", secrets));
    stack.dispatcher = await startDlrDispatcher(stack.config, dispatcherLog);
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("when a change is reported, the body is api.md's and the headers verify with every secret of the account", async () => {
    const hook = await receiver();
    const change = statusChange("acc_1", `${hook.url}/dlr?token=s3cret`, {
      cost: 1260,
      parts: 3,
      reference: "order-7",
    });
    await publish(change);
    await waitFor(() => attemptsOf(change.messageId).length === 1, { what: "the attempt" });

    const [request] = hook.requests;
    if (!request) throw new Error("no request");
    expect(request.url).toBe("/dlr?token=s3cret");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["webhook-id"]).toBe(`${change.messageId}:status:3`);
    expect(String(request.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    const expected = {
      messageId: change.messageId,
      status: "delivered",
      toNumber: "+37256789045",
      fromNumber: "MyApp",
      parts: 3,
      cost: 0.126,
      currency: "EUR",
      errorCode: null,
      reference: "order-7",
      sequence: 3,
      occurredAt: change.occurredAt,
    };
    for (const secret of secrets) expect(verify(secret, request)).toEqual(expected);
    expect(() => verify(newSecret(), request)).toThrow();

    expect(attemptsOf(change.messageId)[0]?.data).toMatchObject({
      sequence: 3,
      status: "delivered",
      attempt: 1,
      endpoint: `${hook.url}/dlr`,
      httpStatus: 200,
      error: null,
      outcome: "delivered",
    });
  });

  it("when the receiver fails 3 times, the 4th attempt delivers, after growing waits, with the same webhook id", async () => {
    const hook = await receiver((n) => (n < 3 ? 503 : 200));
    const change = statusChange("acc_1", `${hook.url}/flaky`);
    await publish(change);
    await waitFor(() => attemptsOf(change.messageId).some((a) => a.data.outcome === "delivered"), {
      what: "the delivered attempt",
      timeoutMs: 20_000,
    });
    await settled();

    expect(hook.requests).toHaveLength(4);
    const [t0 = 0, t1 = 0, t2 = 0, t3 = 0] = hook.requests.map((r) => r.at);
    const gaps = [t1 - t0, t2 - t1, t3 - t2];
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[1]).toBeGreaterThan(gaps[0] ?? 0);
    expect(gaps[2]).toBeGreaterThan(gaps[1] ?? 0);
    expect(new Set(hook.requests.map((r) => r.headers["webhook-id"])).size).toBe(1);
    for (const request of hook.requests) expect(verify(secrets[0] ?? "", request)).toBeTruthy();

    const recorded = attemptsOf(change.messageId).map((a) => [
      a.data.attempt,
      a.data.httpStatus,
      a.data.outcome,
    ]);
    expect(recorded).toEqual([
      [1, 503, "retrying"],
      [2, 503, "retrying"],
      [3, 503, "retrying"],
      [4, 200, "delivered"],
    ]);
  });

  it("when the receiver answers 410 Gone, it is tried once and given up", async () => {
    const hook = await receiver(() => 410);
    const change = statusChange("acc_1", `${hook.url}/gone`);
    await publish(change);
    await settled();
    expect(hook.requests).toHaveLength(1);
    expect(attemptsOf(change.messageId).map((a) => [a.data.httpStatus, a.data.outcome])).toEqual([
      [410, "gave_up"],
    ]);
  });

  it("when a change has no callback URL, or is only queued, nothing is sent or recorded", async () => {
    const hook = await receiver();
    const silent = [
      statusChange("acc_1", null),
      statusChange("acc_1", `${hook.url}/q`, { status: "queued", sequence: 1 }),
    ];
    await publish(...silent);
    await settled();
    expect(hook.requests).toEqual([]);
    for (const change of silent) expect(attemptsOf(change.messageId)).toEqual([]);
  });

  it("when one endpoint is slow, a report to another endpoint in the same batch is not held up", async () => {
    const slow = await receiver((n) => (n === 0 ? { status: 200, afterMs: 3_000 } : 200));
    const fast = await receiver();
    const slowChange = statusChange("acc_1", `${slow.url}/slow`);
    const fastChange = statusChange("acc_1", `${fast.url}/fast`);
    await publish(slowChange, fastChange);
    await waitFor(() => fast.requests.length === 1 && slow.requests.length === 1);
    expect(Math.abs((fast.requests[0]?.at ?? 0) - (slow.requests[0]?.at ?? 0))).toBeLessThan(500);

    // The slow one times out (1.5 s here), is retried, and then delivered.
    await waitFor(
      () => attemptsOf(slowChange.messageId).some((a) => a.data.outcome === "delivered"),
      {
        timeoutMs: 10_000,
      },
    );
    expect(attemptsOf(slowChange.messageId)[0]?.data).toMatchObject({
      httpStatus: null,
      error: "timeout after 1500 ms",
      outcome: "retrying",
    });
    expect(attemptsOf(fastChange.messageId).map((a) => a.data.outcome)).toEqual(["delivered"]);
  });

  it("when the account is not known yet, the report waits for it and is never sent unsigned", async () => {
    const hook = await receiver();
    const change = statusChange("acc_late", `${hook.url}/late`);
    await publish(change);
    const heldBack = () =>
      warnings.filter(
        (line) => line.includes(change.messageId) && line.includes("account unknown"),
      );
    await waitFor(() => heldBack().length >= 2, { what: "the report to be held back twice" });
    expect(hook.requests).toEqual([]);
    const lateSecret = newSecret();
    await stack.putAccount(account("acc_late", [lateSecret]));
    await waitFor(() => hook.requests.length === 1, { timeoutMs: 15_000, what: "the late report" });
    expect(verify(lateSecret, hook.requests[0] as Received)).toMatchObject({
      messageId: change.messageId,
    });
  });

  it("when a change happens while the dispatcher is stopped, it is reported after the dispatcher starts", async () => {
    const hook = await receiver();
    await stack.dispatcher?.stop();
    stack.dispatcher = undefined;
    const change = statusChange("acc_1", `${hook.url}/later`, { status: "sent", sequence: 2 });
    await publish(change);
    stack.dispatcher = await startDlrDispatcher(stack.config, dispatcherLog);
    await waitFor(() => attemptsOf(change.messageId).length === 1, {
      what: "the report after restart",
    });
    expect(hook.requests).toHaveLength(1);
    expect(verify(secrets[0] ?? "", hook.requests[0] as Received)).toMatchObject({
      status: "sent",
      sequence: 2,
    });
  });
});

// --- the SSRF guard on (the production default) ---------------------------------------

describe("dlr-dispatcher refusing private callback URLs", () => {
  let stack: Stack;
  let hook: Receiver;

  beforeAll(async () => {
    stack = await startStack({ WEBHOOK_ALLOW_PRIVATE: "false" });
    await stack.putAccount(account("acc_1", [newSecret()]));
    stack.dispatcher = await startDlrDispatcher(stack.config, log);
    hook = await startReceiver();
  });
  afterAll(async () => {
    await hook?.close();
    await stack?.close();
  });

  it("when a callback URL points at loopback, nothing is sent and the attempt is given up with the reason", async () => {
    const byAddress = statusChange("acc_1", `${hook.url}/hook`);
    const byName = statusChange("acc_1", `http://localhost:${new URL(hook.url).port}/hook`);
    const byScheme = statusChange("acc_1", "ftp://example.com/hook");
    await stack.messaging.publisher.publishStatusChanges([byAddress, byName, byScheme]);
    await waitFor(() => stack.attempts.length === 3, { what: "three refusals" });
    expect(hook.requests).toEqual([]);
    const attemptOf = (change: MessageStatusChanged) =>
      stack.attempts.find((a) => a.messageId === change.messageId)?.data;
    expect(attemptOf(byAddress)).toMatchObject({
      outcome: "gave_up",
      httpStatus: null,
      error: "refused: 127.0.0.1 is a loopback address",
    });
    expect(attemptOf(byName)?.error).toMatch(/^refused: localhost resolves to a loopback address/);
    expect(attemptOf(byScheme)?.error).toMatch(/^refused: scheme ftp: is not allowed/);
  });
});
