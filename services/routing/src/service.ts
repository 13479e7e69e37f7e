import { CarrierHealth, MessageAccepted, SubmitFailed } from "@smsgw/contracts";
import { laterAttemptsAmong } from "@smsgw/message-read-model";
import {
  type Database,
  errorMessage,
  type HealthServer,
  hasAdminCredentials,
  type KvCache,
  type Logger,
  openMessaging,
  openServiceDatabase,
  type RunningConsumer,
  type RunningService,
  singleOrBatch,
  startConsumer,
  startHealthServer,
  startKvCache,
} from "@smsgw/service-kit";
import { type AdminServer, startAdminServer } from "./admin/server.ts";
import type { RoutingConfig } from "./config.ts";
import { migrations, ROUTING_SCHEMA } from "./db/migrations.ts";
import { createScheduleStore } from "./db/schedule-store.ts";
import type { CarrierScore } from "./domain/choose.ts";
import type { RoutingView } from "./domain/decide.ts";
import {
  carrierConcats,
  combineHealth,
  scoreIndex,
  scoreSnapshot,
  simulatedCarriers,
} from "./domain/scores.ts";
import { handleAccepted } from "./handlers/accepted.ts";
import { startCancelResponder } from "./handlers/cancel-responder.ts";
import type { FailureGate } from "./handlers/failure-gate.ts";
import { startScheduleTimer } from "./handlers/schedule-loop.ts";
import { handleSubmitFailed } from "./handlers/submit-failed.ts";
import { openRouteStore } from "./kv/route-store.ts";
import { type RouteWatch, watchRoutes } from "./kv/route-watch.ts";
import { createSubmitPublisher } from "./nats/submit-publisher.ts";

export interface StartedRouting extends RunningService {
  readonly healthPort: number;
  /** The admin API's port, or undefined when neither ADMIN_TOKEN nor ADMIN_OPERATORS is set. */
  readonly adminPort: number | undefined;
  /** The live view decisions are made with (for tests and the admin API). */
  view(): RoutingView;
}

/** How often the rules are derived again from the carriers' health records. */
const RULES_REFRESH_MS = 5_000;

/** How often routing tries again to create the old held copies' durable (see below). */
const HELD_RETRY_MS = 5_000;

export const ROUTING_DURABLES = {
  accepted: "routing-accepted",
  submitFailed: "routing-submit-failed",
  /**
   * Copies of scheduled messages an older routing held apart (`<p>.routing.held`): read after
   * an upgrade into the schedule's table; no longer written.
   */
  held: "routing-held",
} as const;

/**
 * Migrates its schema (the scheduled messages); connects; seeds the route store if empty;
 * watches routes and carrier health (whose records carry the connectors' counts the scores
 * are built from); publishes the routing rules; then starts the three consumers, the
 * schedule's timer, the health server and (with ADMIN_TOKEN) the admin API.
 */
export async function startRouting(config: RoutingConfig, log: Logger): Promise<StartedRouting> {
  // First: with MIGRATE=only (the init container) this is all there is to do.
  const database: Database<unknown> = await openServiceDatabase<unknown>(
    config,
    ROUTING_SCHEMA,
    migrations,
  );
  const messaging = await openMessaging(config, "routing", log).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const { nats, subjects, publisher } = messaging;
  const stoppers: Array<() => Promise<void>> = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    await messaging.close();
    await database.close();
  };

  try {
    const store = await openRouteStore(nats.nc, subjects);
    if (await store.seedIfEmpty(config.ROUTES))
      log.info("route store was empty: seeded from ROUTES");
    // Health first: the rules name the routes with a 16-bit-UDH carrier (ADR 0011), which
    // the connectors' records tell.
    const health: KvCache<CarrierHealth> = await startKvCache(
      nats.nc,
      subjects.carrierHealthBucket,
      CarrierHealth,
      log,
    );
    stoppers.push(health.stop);
    let routes: RouteWatch | undefined;
    const republish = () => {
      if (!routes || stopping) return;
      store
        .publishRules(routes.contents(), carrierConcats(health.values()))
        .catch((error: unknown) => {
          log.warn({ err: errorMessage(error) }, "could not publish the routing rules");
        });
    };
    routes = await watchRoutes(store.kv, log, republish);
    stoppers.push(routes.stop);
    republish();
    // A carrier's style changes with its connector's config, not the route table: looked at
    // again every few seconds (unchanged rules are not rewritten).
    const rulesTimer = setInterval(republish, RULES_REFRESH_MS);
    stoppers.push(async () => clearInterval(rulesTimer));
    const windowMs = config.ROUTE_SCORE_WINDOW_SECONDS * 1000;
    const noScores: ReadonlyMap<string, CarrierScore> = new Map();
    const table = routes;
    const view = (): RoutingView => {
      const nowMs = Date.now();
      // An iterator: read once into an array, it feeds the health, simulators and scores.
      const records = [...health.values()];
      // Summed once per batch: every decision of the batch reads the same index.
      const scores = scoreIndex(records, nowMs, windowMs);
      return {
        table: table.table(),
        scores: (key) => scores.get(key) ?? noScores,
        health: combineHealth(records, nowMs, {
          staleMs: config.ROUTE_HEALTH_STALE_SECONDS * 1000,
          errorRatio: 0.5,
          minSubmits: 10,
        }),
        simulated: simulatedCarriers(records),
        policy: {
          floor: config.ROUTE_RELIABILITY_FLOOR,
          prior: config.ROUTE_PRIOR,
          priorWeight: config.ROUTE_PRIOR_WEIGHT,
        },
        maxAttempts: config.ROUTE_MAX_ATTEMPTS,
      };
    };
    const orders = createSubmitPublisher(nats.js, subjects);
    const schedule = createScheduleStore(database.sql);
    const now = () => new Date();
    // Only a redelivery that decides "fail" reads the message's record (the event store's).
    const gate: FailureGate = {
      laterAttempts: (asked) => laterAttemptsAmong(database.sql, asked),
      policy: { waitMs: config.ROUTE_FAILURE_WAIT_MS, waits: config.ROUTE_FAILURE_WAITS },
    };
    const acceptedDeps = { view, orders, publisher, gate, schedule, log, now };
    const consumers: RunningConsumer[] = [];
    stoppers.push(async () => {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    });
    consumers.push(
      await startConsumer(nats, {
        stream: subjects.stream,
        durable: ROUTING_DURABLES.accepted,
        filterSubject: subjects.event("MessageAccepted"),
        schema: singleOrBatch(MessageAccepted),
        log,
        handle: handleAccepted(acceptedDeps, "doors"),
      }),
    );
    // Copies an older routing held apart: after the upgrade they go into the schedule's table
    // (domain/schedule.ts), never void. On a stream without the subject (a roll-out where the
    // event store has not added it yet) the durable cannot be created: routing starts without
    // it and tries again, so the order of a roll-out does not matter.
    const startHeld = () =>
      startConsumer(nats, {
        stream: subjects.stream,
        durable: ROUTING_DURABLES.held,
        filterSubject: subjects.routingHeld,
        schema: MessageAccepted,
        log,
        handle: handleAccepted(acceptedDeps, "held"),
      });
    let wakeHeld: (() => void) | undefined;
    const heldStarted = (async () => {
      for (;;) {
        try {
          const consumer = await startHeld();
          if (stopping) await consumer.stop();
          else consumers.push(consumer);
          return;
        } catch (error) {
          if (stopping) return;
          log.warn({ err: error }, "held copies' durable not created yet; retrying in 5 s");
          await new Promise<void>((resolve) => {
            wakeHeld = resolve;
            setTimeout(resolve, HELD_RETRY_MS).unref();
          });
          if (stopping) return;
        }
      }
    })();
    stoppers.push(() => {
      wakeHeld?.();
      return heldStarted;
    });
    consumers.push(
      await startConsumer(nats, {
        stream: subjects.stream,
        durable: ROUTING_DURABLES.submitFailed,
        filterSubject: subjects.event("SubmitFailed"),
        schema: SubmitFailed,
        log,
        handle: handleSubmitFailed({ view, orders, publisher, gate, log, now }),
      }),
    );
    const timer = startScheduleTimer(
      {
        view,
        orders,
        publisher,
        gate,
        log,
        now,
        store: schedule,
        leaseMs: config.ROUTE_SCHEDULE_LEASE_MS,
        batch: config.ROUTE_SCHEDULE_BATCH,
      },
      { pollMs: config.ROUTE_SCHEDULE_POLL_MS },
    );
    stoppers.push(timer.stop);
    const cancels = startCancelResponder({
      nc: nats.nc,
      subject: subjects.cancelScheduled,
      store: schedule,
      log,
      now,
      onCanceled: timer.wake,
    });
    stoppers.push(cancels.stop);
    const ready = () => !stopping && !nats.nc.isClosed();
    const healthServer: HealthServer = await startHealthServer(
      config.HEALTH_PORT,
      config.HTTP_HOST,
      {
        live: () => true,
        ready,
      },
    );
    stoppers.splice(0, 0, healthServer.close);
    let admin: AdminServer | undefined;
    const adminCredentials = { token: config.ADMIN_TOKEN, operators: config.ADMIN_OPERATORS };
    if (hasAdminCredentials(adminCredentials)) {
      admin = await startAdminServer({
        port: config.ADMIN_PORT,
        host: config.ADMIN_HOST,
        credentials: adminCredentials,
        store,
        scores: () => {
          const live = view();
          return {
            scores: scoreSnapshot(scoreIndex(health.values(), Date.now(), windowMs)),
            health: Object.fromEntries(live.health),
            simulated: [...live.simulated].sort(),
          };
        },
        log,
      });
      // Stopped first: no operator change lands while the service winds down.
      stoppers.push(admin.close);
    }
    log.info(
      {
        routes: table.table().routes.length,
        healthPort: healthServer.port,
        adminPort: admin?.port,
      },
      "routing ready",
    );
    return {
      healthPort: healthServer.port,
      adminPort: admin?.port,
      view,
      ready,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
