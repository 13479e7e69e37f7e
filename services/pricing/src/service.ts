import { acceptedAmong } from "@smsgw/message-read-model";
import {
  type Logger,
  openMessaging,
  openServiceDatabase,
  publishWithRetry,
  type RunningService,
  startHealthServer,
} from "@smsgw/service-kit";
import { type AccountOperations, createAccountOperations } from "./accounts.ts";
import { openAccountsKv } from "./accounts-kv.ts";
import { type AdminServer, startAdminServer } from "./admin/server.ts";
import type { PricingConfig } from "./config.ts";
import { migrations, PRICING_SCHEMA } from "./db/migrations.ts";
import { loadPriceBook, seedPricesIfEmpty } from "./db/prices.ts";
import type { PricingDatabase } from "./db/schema.ts";
import { startApiKeyResponders } from "./handlers/api-keys-rpc.ts";
import { startAuthorizeResponder } from "./handlers/authorize.ts";
import { startConsoleResponders } from "./handlers/console-rpc.ts";
import { eventStoreCaughtUpTo } from "./handlers/event-store-progress.ts";
import { createOutboxPublisher } from "./handlers/outbox-publisher.ts";
import { startQueryResponders } from "./handlers/queries.ts";
import { deleteRetiredDurables, startSettlementConsumers } from "./handlers/refunds.ts";
import { startSubaccountResponder } from "./handlers/subaccounts-rpc.ts";
import { type Sweep, startSweep } from "./handlers/sweep.ts";
import { createPriceOperations, type PriceOperations } from "./prices-admin.ts";

export interface StartedPricing extends RunningService {
  /** Account operations bound to this service's database and the accounts bucket. */
  accounts: AccountOperations;
  prices: PriceOperations;
  /** The refund sweep (also the outbox relay and housekeeping); `runOnce` for tests. */
  sweep: Sweep;
  /** The health server's port (useful when HEALTH_PORT is 0). */
  healthPort: number;
  /** The admin API's port, or undefined when ADMIN_TOKEN is unset (the API is off). */
  adminPort: number | undefined;
}

/**
 * Opens the pricing schema (migrating it), seeds and loads the price list, publishes
 * every account to the accounts bucket, starts the settlement consumers (refunds), the
 * balance/price RPCs and the sweep, then answers authorize requests; and, when
 * ADMIN_TOKEN is set, the admin API.
 */
export async function startPricing(config: PricingConfig, log: Logger): Promise<StartedPricing> {
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((error: unknown) => log.warn({ err: error }, "close failed"));
    }
  };
  try {
    const database = await openServiceDatabase<PricingDatabase>(config, PRICING_SCHEMA, migrations);
    closers.push(() => database.close());

    const seeded = await seedPricesIfEmpty(database.db, config.PRICE_LIST_CSV);
    let priceBook = await loadPriceBook(database.db);
    log.info({ prices: priceBook.all().length, seeded }, "price list loaded");
    const reloadPrices = async () => {
      priceBook = await loadPriceBook(database.db);
    };
    const prices = createPriceOperations(database.db, reloadPrices);

    const messaging = await openMessaging(config, "pricing", log);
    closers.push(() => messaging.close());
    const { nats, subjects } = messaging;

    const kv = await openAccountsKv(nats, {
      accounts: subjects.accountsBucket,
      webhookSecrets: subjects.webhookSecretsBucket,
    });
    const accounts = createAccountOperations({
      db: database.db,
      kv,
      log,
      webhookSecretGraceMs: config.WEBHOOK_SECRET_GRACE_MS,
      allowPrivateCallbacks: config.WEBHOOK_ALLOW_PRIVATE,
    });
    const published = await accounts.publishAll();
    log.info({ accounts: published }, "accounts published");

    const outbox = createOutboxPublisher(database.db, messaging.publisher, log, async (event) => {
      await publishWithRetry(nats.js, subjects.balanceLow, JSON.stringify(event), {
        msgID: event.eventId,
        retryForMs: 5_000,
      });
    });
    // Closed after everything that publishes through it, before NATS drains.
    closers.push(() => outbox.settle());
    const settlement = await startSettlementConsumers({
      nats,
      subjects,
      db: database.db,
      outbox,
      log,
    });
    closers.push(() => settlement.stop());

    const queries = startQueryResponders({
      nats,
      subjects,
      db: database.db,
      prices: () => priceBook,
      log,
    });
    closers.push(() => queries.stop());
    const accountRpc = { nats, subjects, db: database.db, prices: () => priceBook, log, accounts };
    // The customer console's requests (sign-up, rotations, ledger, price list).
    const consoleRpc = startConsoleResponders(accountRpc);
    closers.push(() => consoleRpc.stop());
    // API keys, asked by ingress (`/v1/keys`) and the console with the digest of a secret.
    const apiKeyRpc = startApiKeyResponders(accountRpc);
    closers.push(() => apiKeyRpc.stop());
    // Sub-accounts, asked by ingress (`/v1/subaccounts`).
    const subaccountRpc = startSubaccountResponder(accountRpc);
    closers.push(() => subaccountRpc.stop());

    const sweep = startSweep({
      db: database.db,
      outbox,
      log,
      intervalMs: config.SWEEP_INTERVAL_MS,
      graceMs: config.REFUND_GRACE_MS,
      relayAfterMs: config.OUTBOX_RELAY_AFTER_MS,
      // Charges are settled by the event store's record once it is complete past their
      // publishBy (ADR 0024): read through the message read model, never written.
      eventStoreCaughtUpTo: () => eventStoreCaughtUpTo(nats, subjects.stream),
      acceptedAmong: (messageIds) => acceptedAmong(database.sql, messageIds),
      housekeeping: [
        {
          name: "delete retired durables",
          run: () => deleteRetiredDurables(nats, subjects.stream),
        },
        { name: "expire webhook secrets", run: () => accounts.expireWebhookSecrets() },
        // Prices changed by the CLI (another process) take effect here.
        { name: "reload prices", run: reloadPrices },
      ],
    });
    closers.push(() => sweep.stop());

    const responder = startAuthorizeResponder({
      nats,
      subjects,
      db: database.db,
      prices: () => priceBook,
      log,
      windowMs: config.AUTHORIZE_BATCH_WINDOW_MS,
      maxConcurrent: config.AUTHORIZE_MAX_CONCURRENT,
      commitTimeoutMs: config.AUTHORIZE_COMMIT_TIMEOUT_MS,
      maxBatch: config.AUTHORIZE_MAX_BATCH,
      outbox,
      acceptWindowMs: config.ACCEPT_WINDOW_MS,
    });
    closers.push(() => responder.stop());

    let stopping = false;
    const health = await startHealthServer(config.HEALTH_PORT, config.HTTP_HOST, {
      live: () => true,
      ready: () => !stopping && !messaging.nats.nc.isClosed(),
    });
    closers.push(() => health.close());

    let admin: AdminServer | undefined;
    if (config.ADMIN_TOKEN || config.ADMIN_OPERATORS.size > 0) {
      admin = await startAdminServer({
        port: config.ADMIN_PORT,
        host: config.ADMIN_HOST,
        token: config.ADMIN_TOKEN,
        operators: config.ADMIN_OPERATORS,
        accounts,
        prices,
        log,
      });
      closers.push(() => admin?.close() ?? Promise.resolve());
      log.info({ port: admin.port, host: config.ADMIN_HOST }, "admin API listening");
    } else {
      log.info("admin API off: neither ADMIN_TOKEN nor ADMIN_OPERATORS is set");
    }

    return {
      accounts,
      prices,
      sweep,
      healthPort: health.port,
      adminPort: admin?.port,
      ready: () => !stopping && !messaging.nats.nc.isClosed(),
      async stop() {
        if (stopping) return;
        stopping = true;
        // Reverse order of opening: admin, health, responder (answers what it took and
        // waits for its publishes), sweep, queries, consumers, NATS drain, then the pool.
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
