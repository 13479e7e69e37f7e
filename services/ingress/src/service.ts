import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import {
  AccountRecord,
  BalanceResponse,
  CancelResponse,
  CreateApiKeyResponse,
  InboundApiResponse,
  PriceResponse,
  RedactResponse,
  RevokeApiKeyResponse,
  RoutingRules,
  SubaccountResponse,
} from "@smsgw/contracts";
import {
  type AdmissionGate,
  ALWAYS_ADMIT,
  createAuthorizer,
  createPipeline,
  createRateLimiter,
  createSharedRateLimiter,
  type DefaultLimits,
  type DoorLists,
  type RateLimiter,
  requestReply,
  startAdmissionGate,
  startDoorLists,
  startSharedLimits,
} from "@smsgw/message-acceptance";
import { createAccountLogReader, createMessageReader } from "@smsgw/message-read-model";
import {
  type HealthServer,
  type KvCache,
  type Logger,
  openMessaging,
  openServiceDatabase,
  serviceTracer,
  startHealthServer,
  startKvCache,
  traceHttpRequests,
} from "@smsgw/service-kit";
import type { IngressConfig } from "./config.ts";
import { migrations } from "./db/migrations.ts";
import { createApp } from "./handlers/app.ts";
import { createAuthenticator } from "./handlers/auth.ts";
import { awaitingContinue, frontDoor } from "./handlers/front-door.ts";
import { createIdempotencyStore } from "./handlers/idempotency-store.ts";
import type { MessageReader } from "./handlers/message-status.ts";
import { observeRequests, routeOf } from "./handlers/observe.ts";
import { createRaisedClients } from "./handlers/raised-clients.ts";
import { admissionMetrics } from "./metrics.ts";

export interface StartedIngress {
  /** True once the accounts are loaded and the HTTP port is open, until stop begins. */
  ready(): boolean;
  /** Stops accepting, finishes the requests in flight, drains NATS, closes the pool. */
  stop(): Promise<void>;
  /** The bound HTTP port (useful with HTTP_PORT=0). */
  port: number;
  /** The bound port of /healthz, /readyz and /metrics (HEALTH_PORT). */
  healthPort: number;
}

const HOUR_MS = 3_600_000;
const PURGE_EVERY_MS = 10 * 60_000;
/** A key change is answered once this replica's cache has it, or after this long anyway. */
const KEY_SETTLE_MS = 2_000;

export async function startIngress(config: IngressConfig, log: Logger): Promise<StartedIngress> {
  const messaging = await openMessaging(config, "ingress", log);
  let database: Awaited<ReturnType<typeof openServiceDatabase>> | undefined;
  let accounts: KvCache<AccountRecord> | undefined;
  let routing: KvCache<RoutingRules> | undefined;
  let doorLists: DoorLists | undefined;
  let server: Server | undefined;
  let health: HealthServer | undefined;
  let purger: NodeJS.Timeout | undefined;
  let admission: AdmissionGate = ALWAYS_ADMIT;
  let sharedLimits: ReturnType<typeof startSharedLimits> | undefined;
  const closeAll = async () => {
    await health?.close();
    clearInterval(purger);
    admission.stop();
    await sharedLimits?.stop();
    await accounts?.stop();
    await routing?.stop();
    await doorLists?.stop();
    await messaging.close();
    await database?.close();
  };

  let listening = false;
  let stopping = false;
  try {
    database = await openServiceDatabase(config, "ingress", migrations, {
      max: config.DATABASE_POOL_MAX,
    });
    const { nc } = messaging.nats;
    accounts = await startKvCache(nc, messaging.subjects.accountsBucket, AccountRecord, log);
    // Routing owns the rules; until it publishes them, every destination goes on to pricing.
    routing = await startKvCache(nc, messaging.subjects.routingBucket, RoutingRules, log);
    doorLists = await startDoorLists(nc, messaging.subjects, log);
    const lists = doorLists;
    const rules = routing;
    const now = () => Date.now();
    const authenticator = createAuthenticator(accounts);
    const defaultLimits: DefaultLimits = {
      ip: { ratePerSec: config.IP_RATE_PER_SEC, burst: config.IP_BURST },
      account: { ratePerSec: config.ACCOUNT_RATE_PER_SEC, burst: config.ACCOUNT_BURST },
    };
    let accountLimiter: RateLimiter = createRateLimiter(defaultLimits.account);
    let ipLimiter: RateLimiter = createRateLimiter(defaultLimits.ip);
    if (config.RATE_LIMIT_SYNC_MS > 0) {
      // The limits hold for the gateway: local decisions, synced through Postgres.
      const onNewKey = () => sharedLimits?.kick();
      const account = createSharedRateLimiter(defaultLimits.account, { onNewKey });
      const ip = createSharedRateLimiter(defaultLimits.ip, { onNewKey });
      [accountLimiter, ipLimiter] = [account, ip];
      sharedLimits = startSharedLimits({
        sql: database.sql,
        schema: "ingress",
        limiters: [
          { namespace: "account", limiter: account },
          { namespace: "ip", limiter: ip },
        ],
        syncMs: config.RATE_LIMIT_SYNC_MS,
        log,
        now,
      });
    }
    admission = startAdmissionGate(config, messaging, defaultLimits, admissionMetrics, log);
    const auth = { authenticator, accountLimiter, defaultLimits, now, admission };
    const routingRules = () => rules.get("rules") ?? null;
    const pipeline = createPipeline({
      maxParts: config.MAX_PARTS,
      authorizer: createAuthorizer(nc, messaging.subjects, {
        timeoutMs: config.AUTHORIZE_TIMEOUT_MS,
        windowMs: config.AUTHORIZE_WINDOW_MS,
      }),
      publisher: messaging.publisher,
      routingRules,
      optedOut: lists.optedOut,
      ownsNumber: lists.ownsNumber,
      senderApproved: lists.senderApproved,
      log,
      now,
    });
    const sendOptions = {
      maxParts: config.MAX_PARTS,
      allowPrivateCallbacks: config.WEBHOOK_ALLOW_PRIVATE,
      schedule: {
        maxScheduleAheadMs: config.MAX_SCHEDULE_AHEAD_HOURS * HOUR_MS,
        maxValidityMs: config.MAX_VALIDITY_HOURS * HOUR_MS,
      },
    };
    const idempotency = createIdempotencyStore(database.sql, {
      ttlHours: config.IDEMPOTENCY_TTL_HOURS,
      // A claim older than any request can run belongs to a replica that died.
      staleAfterMs: config.REQUEST_TIMEOUT_MS + 5_000,
      now,
    });
    purger = setInterval(() => {
      idempotency.purge().catch((error) => log.warn({ err: error }, "idempotency purge failed"));
    }, PURGE_EVERY_MS).unref();
    // Waiters on a key answer before the request ceiling does.
    const waitLimitMs = Math.max(1_000, config.REQUEST_TIMEOUT_MS - 2_000);
    const reader: MessageReader = createMessageReader(database.sql);
    const messageLog = createAccountLogReader(database.sql);
    const rpcTimeout = config.AUTHORIZE_TIMEOUT_MS;
    const ipLimit = { limiter: ipLimiter, defaultLimits, now };
    const raisedClients = createRaisedClients();
    const app = createApp({
      send: { ...auth, ...sendOptions, pipeline },
      status: { ...auth, reader },
      v1Send: {
        ...auth,
        ...sendOptions,
        pipeline,
        idempotency,
        log,
        waitLimitMs,
      },
      v1Batch: { ...auth, ...sendOptions, pipeline, idempotency, log, waitLimitMs },
      queries: {
        ...auth,
        reader,
        routingRules,
        log,
        askPricing: {
          balance: (accountId) =>
            requestReply(
              nc,
              messaging.subjects.balance,
              { accountId },
              BalanceResponse,
              rpcTimeout,
            ),
          price: (accountId, to) =>
            requestReply(
              nc,
              messaging.subjects.price,
              { accountId, to },
              PriceResponse,
              rpcTimeout,
            ),
        },
      },
      search: { ...auth, messageLog, log },
      redact: {
        ...auth,
        reader,
        log,
        askEventStore: (request) =>
          requestReply(nc, messaging.subjects.redactMessage, request, RedactResponse, rpcTimeout),
        forgetIdempotentAnswers: (accountId, messageId) =>
          idempotency.eraseMessage(accountId, messageId),
      },
      cancel: {
        ...auth,
        reader,
        log,
        now,
        askRouting: (request) =>
          requestReply(nc, messaging.subjects.cancelScheduled, request, CancelResponse, rpcTimeout),
        waitLimitMs,
      },
      keys: {
        ...auth,
        accounts,
        log,
        settleMs: KEY_SETTLE_MS,
        askPricing: {
          createApiKey: (request) =>
            requestReply(
              nc,
              messaging.subjects.createApiKey,
              request,
              CreateApiKeyResponse,
              rpcTimeout,
            ),
          revokeApiKey: (request) =>
            requestReply(
              nc,
              messaging.subjects.revokeApiKey,
              request,
              RevokeApiKeyResponse,
              rpcTimeout,
            ),
        },
      },
      numbers: {
        ...auth,
        log,
        idempotency,
        waitLimitMs,
        allowPrivateCallbacks: config.WEBHOOK_ALLOW_PRIVATE,
        askInbound: (request) =>
          requestReply(nc, messaging.subjects.inboundApi, request, InboundApiResponse, rpcTimeout),
      },
      subaccounts: {
        ...auth,
        log,
        idempotency,
        waitLimitMs,
        askPricing: (request) =>
          requestReply(nc, messaging.subjects.subaccounts, request, SubaccountResponse, rpcTimeout),
      },
      bodyIpLimit: { ipLimit, authenticator, raisedClients },
      log,
      trustProxy: config.TRUST_PROXY,
      maxBodyBytes: config.MAX_BODY_BYTES,
      batchMaxBodyBytes: config.BATCH_MAX_BODY_BYTES,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    });
    // Metrics outermost (they time the whole answer), then the front door's refusals (not
    // traced: a flood's refusals would be most of the spans), then a span per request.
    const listener = observeRequests(
      frontDoor(
        {
          ipLimit,
          raisedClients,
          authenticator,
          admission,
          trustProxy: config.TRUST_PROXY,
          log,
        },
        traceHttpRequests(serviceTracer("ingress"), app, routeOf),
      ),
    );
    server = createServer(
      {
        // Backstops below the app's own deadline: slow headers or bodies cannot hold a socket.
        headersTimeout: config.REQUEST_TIMEOUT_MS,
        requestTimeout: config.REQUEST_TIMEOUT_MS + 5_000,
        connectionsCheckingInterval: 1_000,
        // A long text in a GET query string is answered by the app (invalid_params), not
        // refused by node with a bare 431.
        maxHeaderSize: Math.max(16 * 1024, config.MAX_BODY_BYTES),
      },
      listener,
    );
    // The door answers `Expect: 100-continue` itself, after its refusals: node would send the
    // interim 100 before any of it, and a refused client would upload its body for nothing.
    server.on("checkContinue", awaitingContinue(listener));
    server.on("checkExpectation", answerExpectationFailed);
    server.on("clientError", answerClientError);
    await listen(server, config.HTTP_PORT, config.HTTP_HOST);
    listening = true;
    health = await startHealthServer(config.HEALTH_PORT, config.HTTP_HOST, {
      live: () => true,
      ready: () => listening && !stopping && !nc.isClosed(),
    });
  } catch (error) {
    server?.close();
    await closeAll();
    throw error;
  }

  const bound = server;
  const port = (bound.address() as AddressInfo).port;
  const healthPort = health.port;
  log.info({ host: config.HTTP_HOST, port, healthPort }, "ingress listening");
  return {
    port,
    healthPort,
    ready: () => listening && !stopping && !messaging.nats.nc.isClosed(),
    async stop() {
      if (stopping) return;
      stopping = true;
      await closeServer(bound, config.REQUEST_TIMEOUT_MS);
      await closeAll();
    },
  };
}

/**
 * What node's HTTP parser refuses before the app sees it (headers or URL over the limit,
 * a malformed request line, a bad Content-Length) still gets api.md's JSON error, not a
 * bare 400/431 with no body.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const message =
    error.code === "HPE_HEADER_OVERFLOW"
      ? "the request line or headers are too large; send long fields in a POST body"
      : "the request is malformed";
  const body = JSON.stringify({ status: "invalid_params", message });
  socket.end(
    `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncache-control: no-store\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * An `Expect` other than `100-continue` (the only expectation HTTP defines) gets api.md's
 * JSON error (417 `invalid_params`), not node's bare 417 with no body. The request is not
 * read: the connection closes after the answer.
 */
function answerExpectationFailed(_req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify({
    status: "invalid_params",
    message: "the Expect header supports only 100-continue; send the request without it",
  });
  res.writeHead(417, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
    connection: "close",
  });
  res.end(body);
}

/**
 * The accept queue's length (the kernel caps it at net.core.somaxconn). Node's default, 511,
 * overflows when a thousand clients connect at once to a loop busy answering: the kernel
 * drops their SYNs and each client waits a 1 s retransmission (3 s for a second drop) before
 * its first request is even sent, which no admission decision can make up for (docs/
 * performance.md, round 10). Waiting in the queue costs them milliseconds instead.
 */
const ACCEPT_BACKLOG = 4_096;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host, backlog: ACCEPT_BACKLOG }, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Stops accepting; requests in flight finish (idle keep-alive sockets close at once). */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const hard = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(hard);
      resolve();
    });
    server.closeIdleConnections();
  });
}
