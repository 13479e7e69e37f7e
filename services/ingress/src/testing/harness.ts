import { randomBytes } from "node:crypto";
import type { Subscription } from "@nats-io/transport-node";
import {
  AccountRecord,
  type AuthorizeRequest,
  type AuthorizeResponse,
  type BalanceRequest,
  type EventOf,
  MessageAccepted,
  NATS_OPERATOR_USER,
  type PriceRequest,
  type RoutingRules,
} from "@smsgw/contracts";
import {
  BaseEnv,
  createLogger,
  loadConfig,
  type Messaging,
  openDatabase,
  openMessaging,
  type RunningConsumer,
  singleOrBatch,
  startConsumer,
  startKvCache,
  unbatch,
} from "@smsgw/service-kit";
import { createTestInfra, type NatsProxy, startNatsProxy, type TestInfra } from "@smsgw/testkit";
import { loadIngressConfig } from "../config.ts";
import { type StartedIngress, startIngress } from "../service.ts";
import { accountRecordWithToken } from "./account-record.ts";

/**
 * An ingress under test on real NATS and Postgres, with a stand-in for pricing's authorize
 * RPC (the real pricing is tested in its own folder) and a consumer that collects every
 * MessageAccepted event from the stream.
 */

export const PRICE_PER_PART = 420; // 0.042 EUR

/** Destinations the stand-in pricing treats specially; any other valid number is charged. */
export const NUMBERS = {
  charged: "+37256789045",
  lowBalance: "+37256789046",
  blocked: "+79123456789",
  pricingError: "+37256789047",
  noAnswer: "+37256789048",
  slow: "+37256789049",
  /** Charged long ago: the answer's publishBy has passed (a replay after its window, ADR 0022). */
  windowClosed: "+37256789050",
} as const;

/** No per-IP limit to speak of: every request of a test comes from 127.0.0.1. */
export const NO_IP_LIMIT = { IP_RATE_PER_SEC: "10000", IP_BURST: "10000" } as const;

export interface TestAccount {
  accountId: string;
  hash: string;
  token: string;
}

export interface Harness {
  infra: TestInfra;
  messaging: Messaging;
  ingress: StartedIngress;
  /** The proxy between ingress and NATS (`natsProxy`). */
  proxy: NatsProxy | undefined;
  /** http://127.0.0.1:<port> */
  base: string;
  /** http://127.0.0.1:<health port>: /healthz, /readyz, /metrics */
  health: string;
  account: TestAccount;
  /** MessageAccepted events seen on the stream, by messageId. */
  accepted: Map<string, EventOf<"MessageAccepted">>;
  /** Authorize requests the stand-in pricing received. */
  authorizeRequests: AuthorizeRequest[];
  /** Message ids the stand-in pricing answers `refunded` (charged and refunded by its sweep). */
  refundedIds: Set<string>;
  putAccount(overrides?: Partial<AccountRecord>, token?: string): Promise<TestAccount>;
  /** Publishes routing's rules to the routing KV bucket (key "rules"). */
  putRoutingRules(rules: RoutingRules): Promise<void>;
  /** Stops the stand-in pricing (no responders) until `startPricing`. */
  stopPricing(): Promise<void>;
  startPricing(): void;
  /** Events stored on the event stream so far (each event of an envelope counted). */
  streamMessages(): Promise<number>;
  stop(): Promise<void>;
}

function answerFor(
  request: AuthorizeRequest,
  refundedIds: ReadonlySet<string>,
): AuthorizeResponse | null {
  if (refundedIds.has(request.messageId)) return { outcome: "refunded" };
  switch (request.to) {
    case NUMBERS.lowBalance:
      return { outcome: "low_balance", balance: 100, needed: PRICE_PER_PART * request.parts };
    case NUMBERS.blocked:
      return { outcome: "destination_blocked", reason: "RU is blocked for this account" };
    case NUMBERS.pricingError:
      return { outcome: "error", reason: "ledger unavailable" };
    case NUMBERS.noAnswer:
      return null;
    case NUMBERS.windowClosed:
      return {
        outcome: "charged",
        amount: PRICE_PER_PART * request.parts,
        currency: "EUR",
        pricePerPart: PRICE_PER_PART,
        publishBy: new Date(Date.now() - 60_000).toISOString(),
      };
    default:
      return {
        outcome: "charged",
        amount: PRICE_PER_PART * request.parts,
        currency: "EUR",
        pricePerPart: PRICE_PER_PART,
      };
  }
}

export interface HarnessOptions {
  /** Ingress reaches NATS through a proxy that can lose PubAcks (`Harness.proxy`, ADR 0022). */
  natsProxy?: boolean;
}

/**
 * Ingress logs in as its own NATS user on a nats-server of the file's own with the
 * permission file (testkit `createTestInfra`'s `natsUser`), its stand-ins as the operator.
 */
export async function startHarness(
  env: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const infra = await createTestInfra({}, { natsUser: "ingress" });
  const log = createLogger("ingress-test", infra.env.LOG_LEVEL);
  const messaging = await openMessaging(
    loadConfig(BaseEnv, infra.envOf(NATS_OPERATOR_USER)),
    "ingress-test",
    log,
  );
  const { subjects } = messaging;
  // Creates the accounts bucket, as pricing (its owner) would.
  const accountsCache = await startKvCache(
    messaging.nats.nc,
    subjects.accountsBucket,
    AccountRecord,
    log,
  );
  await accountsCache.stop();

  async function putAccount(
    overrides: Partial<AccountRecord> = {},
    token = randomBytes(32).toString("base64url"),
  ): Promise<TestAccount> {
    const hash = overrides.hash ?? `h${randomBytes(8).toString("hex")}`;
    const record = accountRecordWithToken(token, {
      accountId: `acc_${randomBytes(6).toString("hex")}`,
      hash,
      test: true,
      ...overrides,
    });
    await messaging.nats.js.publish(
      `$KV.${subjects.accountsBucket}.${hash}`,
      JSON.stringify(record),
    );
    return { accountId: record.accountId, hash, token };
  }

  const account = await putAccount();

  const authorizeRequests: AuthorizeRequest[] = [];
  const refundedIds = new Set<string>();
  let pricing: Subscription | undefined;
  let pricingQueries: Subscription[] = [];
  const startPricing = () => {
    // Balance and price: the account's balance is 12.5 EUR; RU is blocked, the rest 0.042.
    pricingQueries = [
      messaging.nats.nc.subscribe(subjects.balance, {
        callback: (error, msg) => {
          if (error) return;
          const { accountId } = msg.json<BalanceRequest>();
          msg.respond(
            JSON.stringify({ outcome: "balance", balance: 125_000, currency: "EUR", accountId }),
          );
        },
      }),
      messaging.nats.nc.subscribe(subjects.price, {
        callback: (error, msg) => {
          if (error) return;
          const { to } = msg.json<PriceRequest>();
          msg.respond(
            JSON.stringify(
              to === NUMBERS.blocked
                ? { outcome: "destination_blocked", reason: "RU is blocked for this account" }
                : {
                    outcome: "price",
                    to,
                    country: "EE",
                    pricePerPart: PRICE_PER_PART,
                    currency: "EUR",
                  },
            ),
          );
        },
      }),
    ];
    pricing = messaging.nats.nc.subscribe(subjects.authorize, {
      callback: (error, msg) => {
        if (error) return;
        const request = msg.json<AuthorizeRequest>();
        authorizeRequests.push(request);
        const answer = answerFor(request, refundedIds);
        if (!answer) return;
        const delay = request.to === NUMBERS.slow ? 300 : 0;
        setTimeout(() => msg.respond(JSON.stringify(answer)), delay);
      },
    });
  };
  startPricing();
  await messaging.nats.nc.flush();

  const accepted = new Map<string, EventOf<"MessageAccepted">>();
  const consumer: RunningConsumer = await startConsumer(messaging.nats, {
    stream: subjects.stream,
    durable: "ingress_test",
    filterSubject: subjects.event("MessageAccepted"),
    schema: singleOrBatch(MessageAccepted),
    log,
    handle: async (batch) => {
      for (const { value } of unbatch(batch, MessageAccepted).events) {
        accepted.set(value.messageId, value);
      }
      return undefined;
    },
  });

  const proxy = options.natsProxy ? await startNatsProxy(infra.env.NATS_URL ?? "") : undefined;
  const config = loadIngressConfig({
    ...infra.env,
    ...(proxy ? { NATS_URL: proxy.url } : {}),
    HTTP_PORT: "0",
    HEALTH_PORT: "0",
    // Every successful send waits for the stand-in's answer this long at most: room for a
    // machine busy with another test file. A file whose tests need pricing's timeout to fire
    // soon (NUMBERS.noAnswer against a short REQUEST_TIMEOUT_MS) sets its own.
    AUTHORIZE_TIMEOUT_MS: "5000",
    ...env,
  });
  const ingress = await startIngress(config, log);

  return {
    infra,
    messaging,
    ingress,
    proxy,
    base: `http://127.0.0.1:${ingress.port}`,
    health: `http://127.0.0.1:${ingress.healthPort}`,
    account,
    accepted,
    authorizeRequests,
    refundedIds,
    putAccount,
    async putRoutingRules(rules) {
      await messaging.nats.js.publish(`$KV.${subjects.routingBucket}.rules`, JSON.stringify(rules));
    },
    async stopPricing() {
      await pricing?.drain();
      await Promise.all(pricingQueries.map((sub) => sub.drain()));
      await messaging.nats.nc.flush();
    },
    startPricing,
    async streamMessages() {
      // Events, not publishes: accepted events that met go out in one envelope (ADR 0009).
      const info = await messaging.nats.jsm.streams.info(subjects.stream);
      if (info.state.messages === 0) return 0;
      const reader = await messaging.nats.js.consumers.get(subjects.stream);
      const stored = await reader.fetch({ max_messages: info.state.messages, expires: 5_000 });
      let events = 0;
      for await (const msg of stored) {
        const value = msg.json<{ type?: string; events?: unknown[] }>();
        events += value.type === "EventBatch" ? (value.events?.length ?? 0) : 1;
        if (msg.seq >= info.state.last_seq) break;
      }
      return events;
    },
    async stop() {
      await ingress.stop();
      await proxy?.stop();
      await consumer.stop();
      await messaging.close();
      await infra.cleanup();
    },
  };
}

export interface Answer {
  httpStatus: number;
  headers: Headers;
  body: Record<string, unknown>;
  /** The raw text, for asserting there is no HTML or stack trace. */
  text: string;
}

export async function call(url: string, init?: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // left empty: the test sees `text`
  }
  return { httpStatus: response.status, headers: response.headers, body, text };
}

/** The query string of a compatible send request. */
export function query(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, one);
  }
  return params.toString();
}

/** The message ids an Idempotency-Key holds (a batch's in item order), read from its row. */
export async function messageIdsOfKey(h: Harness, key: string): Promise<string[]> {
  const database = openDatabase(h.infra.env.DATABASE_URL ?? "", "ingress", { max: 1 });
  try {
    const [row] = await database.sql<{ message_id: string }[]>`
      select message_id from ingress.idempotency_keys where key = ${key}`;
    return row ? row.message_id.split(",") : [];
  } finally {
    await database.close();
  }
}

/**
 * Another ingress beside the harness's, on its NATS and database, with the settings a test
 * changes (a shorter request deadline, say); any port, no IP limit to speak of.
 */
export function startIngressBeside(
  h: Harness,
  env: Record<string, string>,
): Promise<StartedIngress> {
  return startIngress(
    loadIngressConfig({
      ...h.infra.env,
      HTTP_PORT: "0",
      HEALTH_PORT: "0",
      IP_RATE_PER_SEC: "10000",
      IP_BURST: "10000",
      ...env,
    }),
    createLogger("ingress-test-beside", h.infra.env.LOG_LEVEL),
  );
}
