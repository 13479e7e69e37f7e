import { randomInt } from "node:crypto";
import type { InboundMessageReceived, Subjects } from "@smsgw/contracts";
import {
  type Database,
  type HealthServer,
  hasAdminCredentials,
  type Logger,
  type Messaging,
  openMessaging,
  openServiceDatabase,
  type RunningService,
  startHealthServer,
} from "@smsgw/service-kit";
import { type AdminServer, startAdminServer } from "./admin/server.ts";
import type { CarrierConnectorConfig } from "./config.ts";
import { carrierSecretBox, createCarrierStore } from "./db/carrier-store.ts";
import { CONNECTOR_SCHEMA, migrations } from "./db/migrations.ts";
import type { ConnectorDatabase } from "./db/schema.ts";
import { createConnectorStore } from "./db/store.ts";
import { DEFAULT_BACKOFF } from "./domain/backoff.ts";
import { createConcatRefs } from "./domain/concat-refs.ts";
import { createScoreCounter } from "./domain/score-counter.ts";
import { type BindLeases, startBindLeases } from "./handlers/bind-leases.ts";
import { startCarrierConsumers } from "./handlers/carrier-consumers.ts";
import { type CarrierLink, startCarrierLink } from "./handlers/carrier-link.ts";
import { startCarrierRegistry } from "./handlers/carrier-registry.ts";
import { startExpirySweep } from "./handlers/expiry-sweep.ts";
import { defaultReplicaId, startHealthPublisher } from "./handlers/health.ts";
import { createInboundHandler } from "./handlers/inbound.ts";
import { startLegacyDrain } from "./handlers/legacy-drain.ts";
import { createReceiptHandler, type ReceiptHandler } from "./handlers/receipts.ts";
import { handleSubmitOrders } from "./handlers/submit-orders.ts";
import { watchLinks } from "./metrics.ts";

export interface StartedCarrierConnector extends RunningService {
  /** Ids of the carriers with a bound session now. */
  boundCarriers(): string[];
  readonly healthPort: number;
  /** This process's id in the carrier-health records. */
  readonly replica: string;
  /** The admin API's port, when ADMIN_TOKEN or ADMIN_OPERATORS turned it on. */
  readonly adminPort: number | undefined;
  /** Runs an expiry sweep now (tests); resolves with the messages expired. */
  sweepExpired(): Promise<number>;
  /** The bind slots this replica leases, per carrier (ADR 0007). */
  slots(): Record<string, number[]>;
  /** Carriers whose submit orders this replica pulls now. */
  pulling(): string[];
}

/** The KV bucket of bind-slot leases and replica heartbeats. */
export const leaseBucket = (subjects: Subjects) => `${subjects.prefix}_connector_leases`;

/** How long start-up waits for the first binds before it takes submit orders anyway. */
const FIRST_BIND_WAIT_MS = 5_000;

/**
 * Opens the database and NATS, binds every carrier, then consumes the carriers' submit orders.
 * `stop()`: stop consuming (the batch in flight finishes its submits and publishes), answer
 * waiting receipts "later", unbind every session (drains its window), drain NATS, close the pool.
 */
export async function startCarrierConnector(
  config: CarrierConnectorConfig,
  log: Logger,
): Promise<StartedCarrierConnector> {
  let database: Database<ConnectorDatabase> | undefined;
  let messaging: Messaging | undefined;
  let receipts: ReceiptHandler | undefined;
  let consumers: ReturnType<typeof startCarrierConsumers> | undefined;
  let legacy: ReturnType<typeof startLegacyDrain> | undefined;
  let leases: BindLeases | undefined;
  let health: HealthServer | undefined;
  let healthPublisher: Awaited<ReturnType<typeof startHealthPublisher>> | undefined;
  let sweep: ReturnType<typeof startExpirySweep> | undefined;
  const replica = config.REPLICA_ID ?? defaultReplicaId();
  const links = new Map<string, CarrierLink>();
  let registry: Awaited<ReturnType<typeof startCarrierRegistry>> | undefined;
  let admin: AdminServer | undefined;
  let stopping = false;
  const unwatchLinks = watchLinks(() => links.values());

  const stop = async () => {
    stopping = true;
    unwatchLinks();
    await admin?.close();
    await registry?.stop();
    await Promise.all([consumers?.stop(), legacy?.stop()]);
    await sweep?.stop();
    await receipts?.stop();
    await Promise.all([...links.values()].map((link) => link.stop()));
    await leases?.stop().catch(() => undefined);
    await healthPublisher?.stop().catch(() => undefined);
    await messaging?.close();
    await database?.close();
    await health?.close();
  };

  try {
    database = await openServiceDatabase<ConnectorDatabase>(config, CONNECTOR_SCHEMA, migrations);
    messaging = await openMessaging(config, "carrier-connector", log);
    const store = createConnectorStore(database.db);
    const { publisher, subjects, nats } = messaging;
    const counts = createScoreCounter(config.SCORE_WINDOW_MS, config.SCORE_SLOT_MS);
    const onInbound = createInboundHandler({
      log,
      now: () => new Date(),
      publish: async (message: InboundMessageReceived) => {
        await nats.js.publish(subjects.inboundReceived, JSON.stringify(message), {
          msgID: message.inboundId,
        });
      },
    });
    const handler = createReceiptHandler({
      findParts: store.findParts,
      // Only the event store reads receipts: batch envelopes (ADR 0009).
      publishAll: publisher.publishBatch,
      markFinal: store.markFinal,
      counts,
      onInbound,
      log,
      now: () => new Date(),
      batchMs: config.RECEIPT_BATCH_MS,
      mappingWaitMs: config.RECEIPT_MAPPING_WAIT_MS,
      unknownDropAfterMs: config.RECEIPT_UNKNOWN_DROP_MS,
    });
    receipts = handler;
    const backoff = { ...DEFAULT_BACKOFF, refusedRetryMs: config.BIND_REFUSED_RETRY_MS };
    const box = carrierSecretBox(config);
    const carrierStore = createCarrierStore(database.db, box);
    if (box) {
      const sealed = await carrierStore.sealAll();
      if (sealed > 0)
        log.info({ carriers: sealed }, "carrier passwords sealed under the current key");
    } else {
      log.warn("CARRIER_SECRETS_KEY is not set: carrier passwords are stored in clear");
    }
    registry = await startCarrierRegistry({
      store: carrierStore,
      seed: config.CARRIERS,
      links,
      log,
      reloadMs: config.CARRIER_RELOAD_MS,
      start: (carrier) =>
        startCarrierLink(carrier, {
          log,
          backoff,
          onRequest: (session, pdu) => handler.onRequest(carrier, session, pdu),
          onChange: () => {
            healthPublisher?.changed();
            consumers?.evaluate();
          },
        }),
    });
    const adminCredentials = { token: config.ADMIN_TOKEN, operators: config.ADMIN_OPERATORS };
    if (hasAdminCredentials(adminCredentials)) {
      const carriers = registry;
      admin = await startAdminServer({
        port: config.ADMIN_PORT,
        host: config.ADMIN_HOST,
        credentials: adminCredentials,
        store: carrierStore,
        applied: () => carriers.reload(),
        status: (id) => links.get(id)?.status(),
        log,
      });
    }
    healthPublisher = await startHealthPublisher({
      nc: nats.nc,
      bucket: subjects.carrierHealthBucket,
      replica,
      links: () => links.values(),
      log,
      intervalMs: config.HEALTH_PUBLISH_MS,
      counts,
    });
    sweep = startExpirySweep({
      findExpired: store.findExpired,
      finishMessages: store.finishMessages,
      publishAll: publisher.publishAll,
      log,
      now: () => new Date(),
      intervalMs: config.EXPIRY_SWEEP_MS,
      graceMs: config.EXPIRY_GRACE_MS,
    });
    leases = await startBindLeases({
      nc: nats.nc,
      bucket: leaseBucket(subjects),
      replica,
      links: () => links,
      log,
      renewMs: config.LEASE_RENEW_MS,
      ttlMs: config.LEASE_TTL_MS,
      onChange: () => consumers?.evaluate(),
    });
    await Promise.race([
      Promise.all([...links.values()].map((link) => link.firstAttempt())),
      new Promise((resolve) => setTimeout(resolve, FIRST_BIND_WAIT_MS).unref()),
    ]);
    const bindLeases = leases;
    const handle = handleSubmitOrders({
      links,
      store,
      publisher,
      log,
      now: () => new Date(),
      refFor: createConcatRefs(() => randomInt(0, 65_536)),
      noBindFailoverMs: config.NO_BIND_FAILOVER_MS,
      boundElsewhere: (carrierId) => bindLeases.boundElsewhere(carrierId),
      replica,
      isReplicaAlive: (other) => bindLeases.isAlive(other),
      reconcileAfterMs: config.RECONCILE_AFTER_MS,
      counts,
      onPartsStored: (parts) => handler.mappingsStored(parts),
    });
    consumers = startCarrierConsumers({
      nats,
      subjects,
      links: () => links,
      boundElsewhere: (carrierId) => bindLeases.boundElsewhere(carrierId),
      handle,
      log,
      ackWaitMs: config.ROUTED_ACK_WAIT_MS,
      orphanCheckMs: config.CARRIER_RELOAD_MS,
    });
    consumers.evaluate();
    legacy = startLegacyDrain({
      nats,
      subjects,
      links: () => links,
      handle,
      log,
      ackWaitMs: config.ROUTED_ACK_WAIT_MS,
      checkMs: config.CARRIER_RELOAD_MS,
    });
    health = await startHealthServer(config.HEALTH_PORT, config.HTTP_HOST, {
      live: () => true,
      ready: () => !stopping && !nats.nc.isClosed(),
    });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  const nc = messaging.nats.nc;
  log.info(
    { carriers: [...links.keys()], healthPort: health.port, adminPort: admin?.port },
    "carrier connector ready",
  );
  const sweeper = sweep;
  return {
    healthPort: health.port,
    adminPort: admin?.port,
    replica,
    sweepExpired: () => sweeper.sweepOnce(),
    slots: () => Object.fromEntries([...links].map(([id, link]) => [id, link.slots()])),
    pulling: () => consumers?.pulling() ?? [],
    ready: () => !stopping && !nc.isClosed(),
    boundCarriers: () =>
      [...links.values()].filter((link) => link.session() !== undefined).map((l) => l.carrier.id),
    stop,
  };
}
