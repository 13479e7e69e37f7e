import { type InboundDelivery, InboundMessageReceived, NumberErased } from "@smsgw/contracts";
import {
  type AdminApi,
  createEraseNotifier,
  type Database,
  type HealthServer,
  hasAdminCredentials,
  type Logger,
  openBucket,
  openMessaging,
  openServiceDatabase,
  type RunningConsumer,
  type RunningService,
  startConsumer,
  startHealthServer,
  startStreamEraser,
  streamErasureTable,
  streamFirstSeq,
} from "@smsgw/service-kit";
import { startAdminServer } from "./admin/server.ts";
import type { InboundConfig } from "./config.ts";
import { createErasureStore } from "./db/erasure-store.ts";
import { createMessageStore, type MessageStore } from "./db/messages-store.ts";
import { INBOUND_SCHEMA, migrations } from "./db/migrations.ts";
import { createNumberStore, type NumberStore } from "./db/numbers-store.ts";
import { createSenderIdStore } from "./db/sender-ids-store.ts";
import { deliveryMsgId } from "./domain/routing.ts";
import { startApiResponder } from "./handlers/api.ts";
import { type KvMirror, startMirrorSync } from "./handlers/kv-mirror.ts";
import { heldNumbersMirror, senderIdsMirror } from "./handlers/mirrors.ts";
import { handleNumberErased } from "./handlers/number-erasures.ts";
import { createOptOutStore } from "./handlers/opt-out-store.ts";
import { handleReceived, republisher, settler } from "./handlers/received.ts";
import { startInboundRetention } from "./handlers/retention.ts";
import { startConcatSweep } from "./handlers/sweep.ts";
import { streamEraserMetrics } from "./metrics.ts";

export interface StartedInbound extends RunningService {
  readonly healthPort: number;
  /** The admin API's port, when ADMIN_TOKEN or ADMIN_OPERATORS turned it on. */
  readonly adminPort: number | undefined;
  /** The stores (tests and the dev stack's seeding use them). */
  readonly numbers: NumberStore;
  readonly messages: MessageStore;
}

export const INBOUND_DURABLE = "inbound-received";
export const NUMBER_ERASURES_DURABLE = "inbound-number-erasures";

/**
 * Connects, migrates, answers ingress's numbers and inbound requests, consumes the MO the
 * connector publishes, sweeps concatenated parts past their timeout, serves health (and the
 * admin API); `stop()` undoes it in order.
 */
export async function startInbound(config: InboundConfig, log: Logger): Promise<StartedInbound> {
  const messaging = await openMessaging(config, "inbound", log);
  let database: Database<unknown> | undefined;
  let consumer: RunningConsumer | undefined;
  let erasures: RunningConsumer | undefined;
  let retention: { stop(): Promise<void> } | undefined;
  let streamEraser: { stop(): Promise<void> } | undefined;
  let api: { stop(): Promise<void> } | undefined;
  let sweep: { stop(): Promise<void> } | undefined;
  const mirrorSyncs: Array<{ stop(): Promise<void> }> = [];
  let admin: AdminApi | undefined;
  let health: HealthServer | undefined;
  let stopping = false;
  const ready = () => !stopping && !messaging.nats.nc.isClosed();

  const stop = async () => {
    stopping = true;
    await consumer?.stop();
    await erasures?.stop();
    await retention?.stop();
    await streamEraser?.stop();
    await api?.stop();
    await sweep?.stop();
    for (const sync of mirrorSyncs) await sync.stop();
    await admin?.close();
    await messaging.close();
    await database?.close();
    await health?.close();
  };

  try {
    const { nats, subjects } = messaging;
    database = await openServiceDatabase<unknown>(config, INBOUND_SCHEMA, migrations);
    const numbers = createNumberStore(database, {
      quarantineMs: config.NUMBER_QUARANTINE_DAYS * 86_400_000,
    });
    const messages = createMessageStore(database);
    const now = () => new Date();
    const optOuts = createOptOutStore(await openBucket(nats.nc, subjects.optOutsBucket));
    // The buckets the doors watch, copies of our tables: synced now and every period.
    const mirrored = <T>(mirror: KvMirror<T>, table: () => Promise<T[]>) => {
      const sync = startMirrorSync({ mirror, table, everyMs: config.INBOUND_NUMBERS_SYNC_MS, log });
      mirrorSyncs.push(sync);
      return sync.first;
    };
    const senderIds = createSenderIdStore(database);
    const heldNumbers = heldNumbersMirror(await openBucket(nats.nc, subjects.numbersBucket), log);
    const approvedSenderIds = senderIdsMirror(
      await openBucket(nats.nc, subjects.senderIdsBucket),
      log,
    );
    await Promise.all([
      mirrored(heldNumbers, () => numbers.holds()),
      mirrored(approvedSenderIds, () => senderIds.approved()),
    ]);
    const deps = {
      messages,
      numbers,
      optOuts,
      async publish(delivery: InboundDelivery) {
        const ack = await nats.js.publish(subjects.inboundDeliver, JSON.stringify(delivery), {
          msgID: deliveryMsgId(delivery.id),
        });
        return ack.seq;
      },
      concatTimeoutMs: config.INBOUND_CONCAT_TIMEOUT_MS,
      log,
      now,
    };
    api = startApiResponder({
      sql: database.sql,
      numbers,
      messages,
      optOuts,
      heldNumbers,
      senderIds,
      approvedSenderIds,
      now,
      nc: nats.nc,
      subject: subjects.inboundApi,
      log,
    });
    consumer = await startConsumer(nats, {
      stream: subjects.stream,
      durable: INBOUND_DURABLE,
      filterSubject: subjects.inboundReceived,
      schema: InboundMessageReceived,
      log,
      maxBatch: config.INBOUND_BATCH,
      handle: handleReceived(deps),
    });
    // Erasure (ADR 0021, amendment 2): the event store's retention days, and its CLI's erase-number.
    const erasure = createErasureStore(database);
    // The webhook and SMPP copies of an erased MO go too (MessagesErased with its in_ id).
    const notifyErased = createEraseNotifier(nats.js, subjects);
    // The stream's copies of erased MO (ADR 0021, amendment 4): each event that brought a part
    // and each delivery, deleted once every consumer of its subject acked past it.
    const eraser = startStreamEraser({
      queue: streamErasureTable(database.sql, INBOUND_SCHEMA),
      jsm: nats.jsm,
      stream: subjects.stream,
      log,
      intervalMs: config.STREAM_ERASER_INTERVAL_MS,
      metrics: streamEraserMetrics,
    });
    streamEraser = eraser;
    const streamFloor = () => streamFirstSeq(nats.jsm, subjects.stream);
    retention = startInboundRetention({
      erasure,
      bucket: await openBucket(nats.nc, subjects.retentionBucket),
      batch: config.RETENTION_BATCH,
      maxBatches: config.RETENTION_MAX_BATCHES,
      intervalMs: config.RETENTION_INTERVAL_MS,
      notifyErased,
      streamFloor,
      onErased: eraser.kick,
      log,
      now,
    });
    erasures = await startConsumer(nats, {
      stream: subjects.stream,
      durable: NUMBER_ERASURES_DURABLE,
      filterSubject: subjects.numberErased,
      schema: NumberErased,
      log,
      handle: handleNumberErased({
        erasure,
        joinWithinMs: config.INBOUND_CONCAT_TIMEOUT_MS + config.INBOUND_SWEEP_MS,
        notifyErased,
        streamFloor,
        onErased: eraser.kick,
        forgetRemovedOptOuts: optOuts.forgetRemoved,
        log,
        now,
      }),
    });
    sweep = startConcatSweep({
      messages,
      settle: settler(deps),
      republish: republisher(deps),
      concatTimeoutMs: config.INBOUND_CONCAT_TIMEOUT_MS,
      everyMs: config.INBOUND_SWEEP_MS,
      log,
      now,
    });
    const adminCredentials = { token: config.ADMIN_TOKEN, operators: config.ADMIN_OPERATORS };
    if (hasAdminCredentials(adminCredentials)) {
      admin = await startAdminServer({
        port: config.ADMIN_PORT,
        host: config.ADMIN_HOST,
        credentials: adminCredentials,
        numbers,
        messages,
        senderIds,
        approvedSenderIds,
        heldNumbers,
        log,
      });
    }
    health = await startHealthServer(config.HEALTH_PORT, config.HTTP_HOST, {
      live: () => true,
      ready,
    });
    log.info({ healthPort: health.port, adminPort: admin?.port }, "inbound ready");
    return {
      healthPort: health.port,
      adminPort: admin?.port,
      numbers,
      messages,
      ready,
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
