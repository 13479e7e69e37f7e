import { MessageStatusChanged } from "@smsgw/contracts";
import {
  type HealthServer,
  type Logger,
  openMessaging,
  type RunningConsumer,
  type RunningService,
  startConsumer,
  startHealthServer,
} from "@smsgw/service-kit";
import type { DlrDispatcherConfig } from "./config.ts";
import { type AccountDirectory, startAccountDirectory } from "./handlers/accounts.ts";
import { createDestinationGuard } from "./handlers/destination-guard.ts";
import { handleStatusChanges } from "./handlers/status-changed.ts";

export interface StartedDlrDispatcher extends RunningService {
  /** The health server's port (useful when HEALTH_PORT=0). */
  readonly healthPort: number;
}

export const DLR_DISPATCHER_DURABLE = "dlr-dispatcher";

/** Connects, loads the accounts, consumes status changes, serves health; `stop()` undoes it in order. */
export async function startDlrDispatcher(
  config: DlrDispatcherConfig,
  log: Logger,
): Promise<StartedDlrDispatcher> {
  const messaging = await openMessaging(config, "dlr-dispatcher", log);
  let accounts: AccountDirectory | undefined;
  let consumer: RunningConsumer | undefined;
  let health: HealthServer | undefined;
  let stopping = false;
  const ready = () => !stopping && !messaging.nats.nc.isClosed();

  const stop = async () => {
    stopping = true;
    await consumer?.stop();
    await accounts?.stop();
    await messaging.close();
    await health?.close();
  };

  try {
    const { nats, subjects, publisher } = messaging;
    accounts = await startAccountDirectory(nats.nc, subjects.accountsBucket, log);
    consumer = await startConsumer(nats, {
      stream: subjects.stream,
      durable: DLR_DISPATCHER_DURABLE,
      filterSubject: subjects.statusChanged,
      schema: MessageStatusChanged,
      log,
      maxBatch: config.WEBHOOK_BATCH,
      concurrency: config.WEBHOOK_CONCURRENCY,
      handle: handleStatusChanges({
        accounts,
        checkHost: createDestinationGuard({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE }),
        publisher,
        log,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        policy: { capMs: config.WEBHOOK_RETRY_CAP_MS, windowMs: config.WEBHOOK_RETRY_WINDOW_MS },
        now: () => new Date(),
      }),
    });
    health = await startHealthServer(config.HEALTH_PORT, config.HTTP_HOST, {
      live: () => true,
      ready,
    });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  if (config.WEBHOOK_ALLOW_PRIVATE) log.warn("callback URLs to private addresses are allowed");
  log.info({ healthPort: health.port }, "dlr-dispatcher ready");
  return { healthPort: health.port, ready, stop };
}
