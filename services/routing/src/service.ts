import { MessageAccepted, SubmitFailed } from "@smsgw/contracts";
import {
  type HealthServer,
  type Logger,
  type Messaging,
  openMessaging,
  type RunningConsumer,
  type RunningService,
  startConsumer,
  startHealthServer,
} from "@smsgw/service-kit";
import type { RoutingConfig } from "./config.ts";
import { handleAccepted } from "./handlers/accepted.ts";
import { handleSubmitFailed } from "./handlers/submit-failed.ts";

export interface StartedRouting extends RunningService {
  /** The health server's port (useful when HEALTH_PORT=0). */
  readonly healthPort: number;
}

export const ROUTING_DURABLES = {
  accepted: "routing-accepted",
  submitFailed: "routing-submit-failed",
} as const;

/** Connects, starts both consumers and the health server; `stop()` undoes it in order. */
export async function startRouting(config: RoutingConfig, log: Logger): Promise<StartedRouting> {
  const messaging = await openMessaging(config, "routing", log);
  const consumers: RunningConsumer[] = [];
  let health: HealthServer | undefined;
  let stopping = false;

  const stopAll = async () => {
    stopping = true;
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await messaging.close();
    await health?.close();
  };

  try {
    consumers.push(...(await startConsumers(config, messaging, log)));
    health = await startHealthServer(config.HEALTH_PORT, config.HTTP_HOST, {
      live: () => true,
      ready: () => !stopping && !messaging.nats.nc.isClosed(),
    });
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
  log.info({ routes: config.ROUTES.routes.length, healthPort: health.port }, "routing ready");

  const healthPort = health.port;
  return {
    healthPort,
    ready: () => !stopping && !messaging.nats.nc.isClosed(),
    stop: stopAll,
  };
}

async function startConsumers(
  config: RoutingConfig,
  messaging: Messaging,
  log: Logger,
): Promise<RunningConsumer[]> {
  const { nats, subjects, publisher } = messaging;
  const now = () => new Date();
  const accepted = await startConsumer(nats, {
    stream: subjects.stream,
    durable: ROUTING_DURABLES.accepted,
    filterSubject: subjects.event("MessageAccepted"),
    schema: MessageAccepted,
    log,
    handle: handleAccepted({ table: config.ROUTES, publisher, log, now }),
  });
  try {
    const submitFailed = await startConsumer(nats, {
      stream: subjects.stream,
      durable: ROUTING_DURABLES.submitFailed,
      filterSubject: subjects.event("SubmitFailed"),
      schema: SubmitFailed,
      log,
      handle: handleSubmitFailed({ publisher, log, now }),
    });
    return [accepted, submitFailed];
  } catch (error) {
    await accepted.stop();
    throw error;
  }
}
