import {
  type Logger,
  openMessaging,
  openServiceDatabase,
  type RunningService,
  startHealthServer,
} from "@smsgw/service-kit";
import { type AccountOperations, createAccountOperations } from "./accounts.ts";
import { openAccountsKv } from "./accounts-kv.ts";
import type { PricingConfig } from "./config.ts";
import { migrations, PRICING_SCHEMA } from "./db/migrations.ts";
import { loadPrices, seedPricesIfEmpty } from "./db/prices.ts";
import type { PricingDatabase } from "./db/schema.ts";
import { createPriceList } from "./domain/price-list.ts";
import { startAuthorizeResponder } from "./handlers/authorize.ts";

export interface StartedPricing extends RunningService {
  /** Account operations bound to this service's database and the accounts bucket. */
  accounts: AccountOperations;
  /** The health server's port (useful when HEALTH_PORT is 0). */
  healthPort: number;
}

/**
 * Opens the pricing schema (migrating it), seeds and loads the price list, publishes
 * every account to the accounts bucket, then answers authorize requests.
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
    const prices = createPriceList(await loadPrices(database.db));
    log.info({ prices: prices.size, seeded }, "price list loaded");

    const messaging = await openMessaging(config, "pricing", log);
    closers.push(() => messaging.close());

    const kv = await openAccountsKv(messaging.nats, messaging.subjects.accountsBucket);
    const accounts = createAccountOperations({ db: database.db, kv, log });
    const published = await accounts.publishAll();
    log.info({ accounts: published }, "accounts published");

    const responder = startAuthorizeResponder({
      nats: messaging.nats,
      subjects: messaging.subjects,
      publisher: messaging.publisher,
      db: database.db,
      prices: () => prices,
      log,
      windowMs: config.AUTHORIZE_BATCH_WINDOW_MS,
      maxConcurrent: config.AUTHORIZE_MAX_CONCURRENT,
      maxBatch: config.AUTHORIZE_MAX_BATCH,
    });
    closers.push(() => responder.stop());

    let stopping = false;
    const health = await startHealthServer(config.HEALTH_PORT, config.HTTP_HOST, {
      live: () => true,
      ready: () => !stopping && !messaging.nats.nc.isClosed(),
    });
    closers.push(() => health.close());

    return {
      accounts,
      healthPort: health.port,
      ready: () => !stopping && !messaging.nats.nc.isClosed(),
      async stop() {
        if (stopping) return;
        stopping = true;
        // Reverse order of opening: health, responder (answers what it took and waits
        // for its publishes), NATS drain, then the pool.
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
