import {
  AccountBalanceLow,
  InboundDelivery,
  MessagesErased,
  StatusChangeDelivery,
} from "@smsgw/contracts";
import {
  type Database,
  type HealthServer,
  type Logger,
  openMessaging,
  openServiceDatabase,
  type RunningConsumer,
  type RunningService,
  startConsumer,
  startHealthServer,
  webhookPendingJobs,
} from "@smsgw/service-kit";
import type { DlrDispatcherConfig } from "./config.ts";
import { createJobStore, type JobStore } from "./db/jobs.ts";
import { migrations } from "./db/migrations.ts";
import { createErasedIds } from "./domain/erasure.ts";
import { type AccountDirectory, startAccountDirectory } from "./handlers/accounts.ts";
import { handleBalanceWarnings } from "./handlers/balance-intake.ts";
import { deliver } from "./handlers/deliver.ts";
import { handleErasures } from "./handlers/erasures.ts";
import { createFastPath } from "./handlers/fast-path.ts";
import { handleInboundDeliveries, handleStatusChanges } from "./handlers/intake.ts";
import { createPoster, type Poster, type Resolve } from "./handlers/pinned-post.ts";
import { PREFETCH, type Scheduler, startScheduler } from "./handlers/scheduler.ts";
import { startTestWebhookResponder } from "./handlers/test-webhook.ts";

export interface StartedDlrDispatcher extends RunningService {
  /** The health server's port (useful when HEALTH_PORT=0). */
  readonly healthPort: number;
  /** The durable job queue (tests and the benchmark read its size). */
  readonly jobs: JobStore;
}

/** What tests may replace: the resolver behind the pinned lookup. */
export interface DlrDispatcherOverrides {
  resolve?: Resolve;
}

export const DLR_DISPATCHER_DURABLE = "dlr-dispatcher";
/** Inbound messages for accounts' webhooks (`<p>.inbound.deliver`, from the inbound service). */
export const DLR_DISPATCHER_INBOUND_DURABLE = "dlr-dispatcher-inbound";
/** The durable of pricing's balance warnings (`<p>.status.balance_low`). */
export const DLR_DISPATCHER_BALANCE_DURABLE = "dlr-dispatcher-balance";
/** Erased messages (ADR 0021): their waiting reports' numbers are masked. */
export const DLR_DISPATCHER_ERASURES_DURABLE = "dlr-dispatcher-erasures";
export const DLR_DISPATCHER_SCHEMA = "dispatcher";
/** Erased ids the fast path remembers at most (a redact's or a day's retention batches' worth; ~100 bytes each). */
const ERASED_IN_MEMORY = 100_000;

/** Connects, migrates, resumes pending jobs, consumes status changes and inbound messages, serves health; `stop()` undoes it in order. */
export async function startDlrDispatcher(
  config: DlrDispatcherConfig,
  log: Logger,
  overrides: DlrDispatcherOverrides = {},
): Promise<StartedDlrDispatcher> {
  const messaging = await openMessaging(config, "dlr-dispatcher", log);
  let database: Database<unknown> | undefined;
  let accounts: AccountDirectory | undefined;
  let scheduler: Scheduler | undefined;
  let poster: Poster | undefined;
  let consumer: RunningConsumer | undefined;
  let inboundConsumer: RunningConsumer | undefined;
  let balanceConsumer: RunningConsumer | undefined;
  let erasureConsumer: RunningConsumer | undefined;
  let testWebhooks: { stop(): Promise<void> } | undefined;
  let health: HealthServer | undefined;
  let pendingPoll: NodeJS.Timeout | undefined;
  let stopping = false;
  const ready = () => !stopping && !messaging.nats.nc.isClosed();

  const stop = async () => {
    stopping = true;
    await consumer?.stop();
    await inboundConsumer?.stop();
    await balanceConsumer?.stop();
    await erasureConsumer?.stop();
    await testWebhooks?.stop();
    await scheduler?.stop();
    poster?.close();
    await accounts?.stop();
    await messaging.close();
    clearInterval(pendingPoll);
    await database?.close();
    await health?.close();
  };

  try {
    const { nats, subjects, publisher } = messaging;
    database = await openServiceDatabase<unknown>(config, DLR_DISPATCHER_SCHEMA, migrations);
    const store = createJobStore(database);
    // The backlog is the jobs table, not the consumer (changes are acked once recorded).
    pendingPoll = setInterval(() => {
      store
        .pending()
        .then((n) => webhookPendingJobs.set(n))
        .catch(() => undefined);
    }, 5_000);
    pendingPoll.unref();
    accounts = await startAccountDirectory(
      nats.nc,
      { accounts: subjects.accountsBucket, webhookSecrets: subjects.webhookSecretsBucket },
      log,
    );
    const directory = accounts;
    const posting = createPoster({
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
      ...(overrides.resolve ? { resolve: overrides.resolve } : {}),
    });
    poster = posting;
    // The console's "send a test webhook": same accounts, signing and guarded poster.
    testWebhooks = startTestWebhookResponder({
      nc: nats.nc,
      subject: subjects.testWebhook,
      accounts: directory,
      post: posting.post,
      log,
      now: () => new Date(),
    });
    const policy = { capMs: config.WEBHOOK_RETRY_CAP_MS, windowMs: config.WEBHOOK_RETRY_WINDOW_MS };
    // Starts with whatever is pending from before a restart.
    const leaseMs = config.WEBHOOK_TIMEOUT_MS * (PREFETCH + 1) + 30_000;
    const running = startScheduler({
      store,
      publisher,
      log,
      concurrency: config.WEBHOOK_CONCURRENCY,
      perOrigin: config.WEBHOOK_ORIGIN_CONCURRENCY,
      perOriginMax: config.WEBHOOK_ORIGIN_MAX_CONCURRENCY,
      perHost: config.WEBHOOK_HOST_CONCURRENCY,
      originCapMs: config.WEBHOOK_RETRY_CAP_MS,
      slowMs: config.WEBHOOK_SLOW_MS,
      // A prefetched job may wait for PREFETCH attempts of its origin, then runs its own.
      leaseMs,
      deliver: (job) =>
        deliver(
          {
            accounts: directory,
            post: posting.post,
            policy,
            log,
            now: () => new Date(),
            random: Math.random,
          },
          job,
        ),
    });
    scheduler = running;
    // Erased messages this process knows of, for the fast path (the queue's insert checks
    // the table): those noted within the retry window, as the process starts, then each notice.
    const erased = createErasedIds({
      capacity: ERASED_IN_MEMORY,
      keepMs: config.WEBHOOK_RETRY_WINDOW_MS,
    });
    erased.add(
      (
        await store.erasedSince(
          new Date(Date.now() - config.WEBHOOK_RETRY_WINDOW_MS),
          ERASED_IN_MEMORY,
        )
      ).reverse(),
      Date.now(),
    );
    const intake = {
      store,
      erased,
      poke: running.poke,
      now: () => new Date(),
      ...(config.WEBHOOK_FAST_PATH_MS > 0
        ? {
            fastPath: createFastPath({
              store,
              publisher,
              scheduler: running,
              budgetMs: config.WEBHOOK_FAST_PATH_MS,
              holdMs: config.WEBHOOK_HOLD_MS,
              leaseMs,
              now: () => new Date(),
            }),
          }
        : {}),
    };
    consumer = await startConsumer(nats, {
      stream: subjects.stream,
      durable: DLR_DISPATCHER_DURABLE,
      filterSubject: subjects.statusChanged,
      schema: StatusChangeDelivery,
      log,
      maxBatch: config.WEBHOOK_BATCH,
      // Batches overlap so that one waiting on its fast-path budget does not hold the next.
      concurrency: config.WEBHOOK_FAST_PATH_MS > 0 ? 4 : 1,
      handle: handleStatusChanges(intake),
    });
    inboundConsumer = await startConsumer(nats, {
      stream: subjects.stream,
      durable: DLR_DISPATCHER_INBOUND_DURABLE,
      filterSubject: subjects.inboundDeliver,
      schema: InboundDelivery,
      log,
      maxBatch: config.WEBHOOK_BATCH,
      handle: handleInboundDeliveries({
        ...intake,
        accountOf: (accountId) => directory.byAccountId(accountId),
      }),
    });
    // Pricing's balance warnings: jobs of the same queue, so signed, retried and isolated
    // per origin like the reports (ADR 0020).
    balanceConsumer = await startConsumer(nats, {
      stream: subjects.stream,
      durable: DLR_DISPATCHER_BALANCE_DURABLE,
      filterSubject: subjects.balanceLow,
      schema: AccountBalanceLow,
      log,
      maxBatch: 64,
      handle: handleBalanceWarnings({ store, poke: running.poke, now: () => new Date() }),
    });
    erasureConsumer = await startConsumer(nats, {
      stream: subjects.stream,
      durable: DLR_DISPATCHER_ERASURES_DURABLE,
      filterSubject: subjects.messagesErased,
      schema: MessagesErased,
      log,
      handle: handleErasures({
        store,
        erased,
        now: () => new Date(),
        keepMs: config.WEBHOOK_RETRY_WINDOW_MS,
      }),
    });
    health = await startHealthServer(config.HEALTH_PORT, config.HTTP_HOST, {
      live: () => true,
      ready,
    });
    if (config.WEBHOOK_ALLOW_PRIVATE) log.warn("callback URLs to private addresses are allowed");
    log.info({ healthPort: health.port }, "dlr-dispatcher ready");
    return { healthPort: health.port, jobs: store, ready, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
