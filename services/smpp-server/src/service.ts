import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import {
  AccountRecord,
  type CancelRequest,
  CancelResponse,
  InboundDelivery,
  MessagesErased,
  newMessageId,
  RoutingRules,
  StatusChangeDelivery,
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
import { createMessageReader } from "@smsgw/message-read-model";
import {
  type HealthServer,
  type KvCache,
  type Logger,
  openMessaging,
  openServiceDatabase,
  type RunningConsumer,
  startConsumer,
  startHealthServer,
  startKvCache,
} from "@smsgw/service-kit";
import { createSmppServer, type SmppServer, type SmppServerOptions } from "@smsgw/smpp";
import type { SmppServerConfig } from "./config.ts";
import { migrations } from "./db/migrations.ts";
import { type BindRegistry, startBindRegistry } from "./handlers/bind-registry.ts";
import { createBindDesk } from "./handlers/binds.ts";
import { type ConcatStore, startConcatStore } from "./handlers/concat-store.ts";
import { handleInboundForSmpp, SMPP_INBOUND_DURABLE } from "./handlers/inbound-intake.ts";
import { messageRequestsOf } from "./handlers/message-requests.ts";
import { handleErasures, SMPP_ERASURES_DURABLE } from "./handlers/receipt-erasures.ts";
import {
  handleStatusChanges,
  oweExpiredPartsReceipts,
  SMPP_RECEIPTS_DURABLE,
  startReceiptSender,
} from "./handlers/receipts.ts";
import { serveRequests } from "./handlers/requests.ts";
import { samePart, submitsOf } from "./handlers/submits.ts";
import { admissionMetrics, smppReceipts } from "./metrics.ts";

/** Concatenated messages an account may have waiting for parts at once, on every replica. */
const MAX_WAITING_MESSAGES = 1_000;

export interface StartedSmppServer {
  ready(): boolean;
  /** Stops taking binds, unbinds every session (bounded), drains NATS. */
  stop(): Promise<void>;
  /** The bound SMPP port (useful with SMPP_PORT=0). */
  port: number;
  /** The bound SMPP-over-TLS port, when SMPP_TLS_PORT is set. */
  tlsPort: number | undefined;
  healthPort: number;
}

/**
 * The customers' SMPP 3.4 server (api.md section 6): binds checked against the accounts
 * bucket (ADR 0012), submit_sm accepted through `@smsgw/message-acceptance` as HTTP sends are.
 */
export async function startSmppServer(
  config: SmppServerConfig,
  log: Logger,
): Promise<StartedSmppServer> {
  const messaging = await openMessaging(config, "smpp-server", log);
  let accounts: KvCache<AccountRecord> | undefined;
  let routing: KvCache<RoutingRules> | undefined;
  let doorLists: DoorLists | undefined;
  let smpp: SmppServer | undefined;
  let smppTls: SmppServer | undefined;
  let health: HealthServer | undefined;
  let database: Awaited<ReturnType<typeof openServiceDatabase>> | undefined;
  let consumer: RunningConsumer | undefined;
  let inbound: RunningConsumer | undefined;
  let erasures: RunningConsumer | undefined;
  let sender: ReturnType<typeof startReceiptSender> | undefined;
  let concat: ConcatStore | undefined;
  let registry: BindRegistry | undefined;
  let admission: AdmissionGate = ALWAYS_ADMIT;
  let sharedLimits: ReturnType<typeof startSharedLimits> | undefined;
  let stopping = false;
  const closeAll = async () => {
    await health?.close();
    admission.stop();
    await sharedLimits?.stop();
    await consumer?.stop();
    await inbound?.stop();
    await erasures?.stop();
    await sender?.stop();
    await smpp?.close();
    await smppTls?.close();
    concat?.stop();
    await registry?.stop();
    await accounts?.stop();
    await routing?.stop();
    await doorLists?.stop();
    await messaging.close();
    await database?.close();
  };

  let port: number;
  let tlsPort: number | undefined;
  try {
    database = await openServiceDatabase(config, "smpp_server", migrations);
    const { nc } = messaging.nats;
    // accountId -> hash as records arrive (the bucket is keyed by hash): inbound messages
    // name their account by id. The cache stays the truth (a stale hash is not trusted).
    const hashOf = new Map<string, string>();
    const indexed = AccountRecord.transform((record) => {
      hashOf.set(record.accountId, record.hash);
      return record;
    });
    accounts = await startKvCache(nc, messaging.subjects.accountsBucket, indexed, log);
    const accountRecords = accounts;
    const speaksSmpp = (accountId: string) => {
      const record = accountRecords.get(hashOf.get(accountId) ?? "");
      return record?.accountId === accountId && record.smpp !== undefined;
    };
    routing = await startKvCache(nc, messaging.subjects.routingBucket, RoutingRules, log);
    doorLists = await startDoorLists(nc, messaging.subjects, log);
    const lists = doorLists;
    const rules = routing;
    const now = () => Date.now();
    const pipeline = createPipeline({
      maxParts: config.MAX_PARTS,
      authorizer: createAuthorizer(nc, messaging.subjects, {
        timeoutMs: config.AUTHORIZE_TIMEOUT_MS,
        windowMs: config.AUTHORIZE_WINDOW_MS,
      }),
      publisher: messaging.publisher,
      routingRules: () => rules.get("rules") ?? null,
      optedOut: lists.optedOut,
      ownsNumber: lists.ownsNumber,
      senderApproved: lists.senderApproved,
      log,
      now,
    });
    const defaultLimits: DefaultLimits = {
      // No per-IP limit over SMPP: a bind is authenticated before it can submit.
      ip: { ratePerSec: config.ACCOUNT_RATE_PER_SEC, burst: config.ACCOUNT_BURST },
      account: { ratePerSec: config.ACCOUNT_RATE_PER_SEC, burst: config.ACCOUNT_BURST },
    };
    const smppDefaults = { maxBinds: config.SMPP_MAX_BINDS, window: config.SMPP_WINDOW };
    admission = startAdmissionGate(config, messaging, defaultLimits, admissionMetrics, log);
    let accountLimiter: RateLimiter = createRateLimiter(defaultLimits.account);
    if (config.RATE_LIMIT_SYNC_MS > 0) {
      // The account's rate holds for all of this door's replicas, as ingress's limits do.
      const shared = createSharedRateLimiter(defaultLimits.account, {
        onNewKey: () => sharedLimits?.kick(),
      });
      accountLimiter = shared;
      sharedLimits = startSharedLimits({
        sql: database.sql,
        schema: "smpp_server",
        limiters: [{ namespace: "account", limiter: shared }],
        syncMs: config.RATE_LIMIT_SYNC_MS,
        log,
        now,
      });
    }
    registry = startBindRegistry({
      sql: database.sql,
      replicaId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      staleMs: config.SMPP_BIND_STALE_MS,
      heartbeatMs: Math.max(1_000, Math.floor(config.SMPP_BIND_STALE_MS / 3)),
      log,
    });
    const desk = createBindDesk({
      accounts,
      defaults: smppDefaults,
      verifyConcurrency: config.SMPP_BIND_VERIFY_CONCURRENCY,
      registry,
      log,
    });
    const receiptKeeping = {
      ttlMs: config.SMPP_RECEIPT_TTL_HOURS * 3_600_000,
      minKeepMs: config.SMPP_RECEIPT_MIN_KEEP_MS,
    };
    concat = startConcatStore({
      sql: database.sql,
      maxWaitingPerAccount: MAX_WAITING_MESSAGES,
      timeoutMs: config.SMPP_CONCAT_TIMEOUT_MS,
      samePart,
      newMessageId: () => newMessageId(now()),
      owe: (tx, expired) => oweExpiredPartsReceipts(tx, expired, receiptKeeping, now()),
      // Called from the store's sweep, once the receipt sender below has started.
      onOwed(count) {
        smppReceipts.inc({ outcome: "stored" }, count);
        sender?.poke();
      },
      log,
    });
    const submitDeps = {
      accounts,
      pipeline,
      accountLimiter,
      admission,
      defaultLimits,
      smppDefaults,
      maxParts: config.MAX_PARTS,
      schedule: {
        maxScheduleAheadMs: config.MAX_SCHEDULE_AHEAD_HOURS * 3_600_000,
        maxValidityMs: config.MAX_VALIDITY_HOURS * 3_600_000,
      },
      concat,
      log,
      now,
    };
    const reader = createMessageReader(database.sql);
    const messageRequestDeps = {
      getMessage: (messageId: string, accountId: string) => reader.getMessage(messageId, accountId),
      askRouting: (request: CancelRequest) =>
        requestReply(
          nc,
          messaging.subjects.cancelScheduled,
          request,
          CancelResponse,
          config.AUTHORIZE_TIMEOUT_MS,
        ),
      window: config.SMPP_WINDOW,
      log,
      now,
    };
    const receipts = startReceiptSender({
      sql: database.sql,
      desk,
      leaseMs: config.SMPP_RECEIPT_LEASE_MS,
      pollMs: config.SMPP_RECEIPT_POLL_MS,
      // No more unanswered than a session's window: claimed rows never queue past the lease.
      inFlightPerAccount: config.SMPP_WINDOW,
      log,
    });
    sender = receipts;
    const serverOptions: SmppServerOptions = {
      systemId: config.SMPP_SYSTEM_ID,
      bindTimeoutMs: config.SMPP_BIND_TIMEOUT_MS,
      enquireLinkMs: config.SMPP_ENQUIRE_LINK_MS,
      windowSize: config.SMPP_WINDOW,
      onBind: desk.onBind,
      onSession(session) {
        const bound = desk.boundOf(session);
        if (bound) {
          const messages = messageRequestsOf(messageRequestDeps, bound);
          serveRequests(session, {
            submit: submitsOf(submitDeps, bound),
            query: messages.query,
            cancel: messages.cancel,
          });
        }
        // Receipts kept while the account had no receiver go out now.
        if (bound && bound.mode !== "transmitter") receipts.poke();
        session.on("warning", (error) =>
          log.warn({ err: error, accountId: bound?.accountId }, "smpp session warning"),
        );
      },
    };
    smpp = createSmppServer(serverOptions);
    ({ port } = await smpp.listen(config.SMPP_PORT, config.SMPP_HOST));
    if (config.SMPP_TLS_PORT !== undefined) {
      const [key, cert] = await Promise.all([
        readFile(config.SMPP_TLS_KEY_FILE ?? ""),
        readFile(config.SMPP_TLS_CERT_FILE ?? ""),
      ]);
      smppTls = createSmppServer({ ...serverOptions, tls: { key, cert } });
      tlsPort = (await smppTls.listen(config.SMPP_TLS_PORT, config.SMPP_HOST)).port;
    }
    consumer = await startConsumer(messaging.nats, {
      stream: messaging.subjects.stream,
      durable: SMPP_RECEIPTS_DURABLE,
      filterSubject: messaging.subjects.statusChanged,
      schema: StatusChangeDelivery,
      log,
      handle: handleStatusChanges({
        sql: database.sql,
        keep: receiptKeeping,
        poke: receipts.poke,
      }),
    });
    inbound = await startConsumer(messaging.nats, {
      stream: messaging.subjects.stream,
      durable: SMPP_INBOUND_DURABLE,
      filterSubject: messaging.subjects.inboundDeliver,
      schema: InboundDelivery,
      log,
      handle: handleInboundForSmpp({
        sql: database.sql,
        speaksSmpp,
        keepMs: config.SMPP_RECEIPT_TTL_HOURS * 3_600_000,
        poke: receipts.poke,
      }),
    });
    erasures = await startConsumer(messaging.nats, {
      stream: messaging.subjects.stream,
      durable: SMPP_ERASURES_DURABLE,
      filterSubject: messaging.subjects.messagesErased,
      schema: MessagesErased,
      log,
      handle: handleErasures({ sql: database.sql }),
    });
    health = await startHealthServer(config.HEALTH_PORT, config.HTTP_HOST, {
      live: () => true,
      ready: () => !stopping && !nc.isClosed(),
    });
  } catch (error) {
    await closeAll();
    throw error;
  }

  const healthPort = health.port;
  log.info({ host: config.SMPP_HOST, port, tlsPort, healthPort }, "smpp-server listening");
  return {
    port,
    tlsPort,
    healthPort,
    ready: () => !stopping && !messaging.nats.nc.isClosed(),
    async stop() {
      if (stopping) return;
      stopping = true;
      await closeAll();
    },
  };
}
