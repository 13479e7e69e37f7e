/**
 * Test support for the integration tests and the README snippet test (not shipped in
 * index.ts): real local HTTP receivers, and an isolated NATS prefix + database with a
 * recorder of WebhookAttempted events (read from the EventBatch envelopes the dispatcher
 * publishes on `<p>.evt.batch`, each event once, as the event store logs them).
 */

import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Kvm } from "@nats-io/kv";
import {
  type AccountRecord,
  EventBatch,
  type EventOf,
  MessageEvent,
  type MessageStatusChanged,
  NATS_OPERATOR_USER,
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
import { Webhook } from "standardwebhooks";
import { type DlrDispatcherConfig, loadDlrDispatcherConfig } from "./config.ts";
import type { SigningAccount } from "./handlers/accounts.ts";
import { DLR_DISPATCHER_DURABLE, type StartedDlrDispatcher } from "./service.ts";

export const silentLog = createLogger("dlr-dispatcher-test", "silent");
export const newSecret = () => `whsec_${randomBytes(24).toString("base64")}`;

export interface Received {
  body: string;
  headers: IncomingHttpHeaders;
  url: string;
  at: number;
}

export interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

export type Answer =
  | number
  | {
      status: number;
      afterMs?: number;
      /** Answers only once this settles (then after `afterMs`): a test decides when. */
      after?: Promise<unknown>;
      headers?: Record<string, string>;
    }
  | "hang";

/** A real HTTP server on 127.0.0.1 answering the n-th request (from 0) with `answer(n)`. */
export async function startReceiver(answer: (n: number) => Answer = () => 200): Promise<Receiver> {
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
      if (reply === "hang") return; // never answers; the dispatcher's timeout must cut it
      const {
        status,
        afterMs = 0,
        after = Promise.resolve(),
        headers = {},
      } = typeof reply === "number" ? { status: reply } : reply;
      void after.then(() => setTimeout(() => res.writeHead(status, headers).end(), afterMs));
    });
  });
  server.keepAliveTimeout = 60_000;
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

export function verify(secret: string, request: Received): unknown {
  return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
}

export interface Stack {
  infra: TestInfra;
  config: DlrDispatcherConfig;
  messaging: Messaging;
  attempts: EventOf<"WebhookAttempted">[];
  dispatcher: StartedDlrDispatcher | undefined;
  /** Publishes the account as pricing does: its record, and its secrets in their own bucket. */
  putAccount(record: AccountRecord): Promise<void>;
  /** Publishes a record as pricing did before the secrets had a bucket: secrets inside it. */
  putRecordWithSecrets(record: AccountRecord): Promise<void>;
  publish(...changes: MessageStatusChanged[]): Promise<void>;
  attemptsOf(messageId: string): EventOf<"WebhookAttempted">[];
  /** Every status change was taken and every job finished (delivered or given up). */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(env: Record<string, string>): Promise<Stack> {
  // The dispatcher as its own NATS user under the permission file; the stand-ins as the operator.
  const infra = await createTestInfra({ HEALTH_PORT: "0", ...env }, { natsUser: "dlr-dispatcher" });
  const config = loadDlrDispatcherConfig(infra.env);
  const messaging = await openMessaging(
    loadDlrDispatcherConfig(infra.envOf(NATS_OPERATOR_USER)),
    "dlr-dispatcher-test",
    silentLog,
  );
  const kvm = new Kvm(messaging.nats.nc);
  const kv = await kvm.create(messaging.subjects.accountsBucket, { history: 1 });
  const secretsKv = await kvm.create(messaging.subjects.webhookSecretsBucket, { history: 1 });
  const attempts: EventOf<"WebhookAttempted">[] = [];
  const recorder = await recordAttempts(messaging, attempts);
  const stack: Stack = {
    infra,
    config,
    messaging,
    attempts,
    dispatcher: undefined,
    async putAccount(record) {
      const { webhookSecrets, ...shared } = record;
      if (webhookSecrets) {
        const { accountId, hash, updatedAt } = record;
        await secretsKv.put(hash, JSON.stringify({ accountId, hash, webhookSecrets, updatedAt }));
      }
      await kv.put(record.hash, JSON.stringify(shared));
    },
    async putRecordWithSecrets(record) {
      await kv.put(record.hash, JSON.stringify(record));
    },
    publish: (...changes) => messaging.publisher.publishStatusChanges(changes),
    attemptsOf: (messageId) => attempts.filter((a) => a.messageId === messageId),
    async settled(timeoutMs = 15_000) {
      await waitFor(
        async () => {
          const info = await messaging.nats.jsm.consumers.info(
            messaging.subjects.stream,
            DLR_DISPATCHER_DURABLE,
          );
          const jobs = (await stack.dispatcher?.jobs.pending()) ?? 1;
          return info.num_pending === 0 && info.num_ack_pending === 0 && jobs === 0;
        },
        { what: "the dispatcher to settle", timeoutMs },
      );
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

/**
 * Records the WebhookAttempted events of every EventBatch on `<p>.evt.batch` into `into`,
 * each event id once (an attempt repeated after a crash, or a batch published again, may
 * carry an event already recorded: the event store logs it once too).
 */
export async function recordAttempts(
  messaging: Messaging,
  into: EventOf<"WebhookAttempted">[],
): Promise<RunningConsumer> {
  const seen = new Set<string>();
  return startConsumer(messaging.nats, {
    stream: messaging.subjects.stream,
    durable: "test-recorder",
    filterSubject: messaging.subjects.eventBatch,
    schema: EventBatch,
    log: silentLog,
    handle: async (batch) => {
      for (const { value } of batch) {
        for (const raw of value.events) {
          const event = MessageEvent.parse(raw);
          if (event.type !== "WebhookAttempted" || seen.has(event.eventId)) continue;
          seen.add(event.eventId);
          into.push(event);
        }
      }
      return undefined;
    },
  });
}

export function account(accountId: string, webhookSecrets: string[]): SigningAccount {
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

export function statusChange(
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
