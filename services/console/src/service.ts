import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAccountLogReader, createMessageReader } from "@smsgw/message-read-model";
import {
  createSecretBox,
  type Logger,
  openMessaging,
  openServiceDatabase,
  type RunningService,
  startHealthServer,
} from "@smsgw/service-kit";
import type { ConsoleConfig } from "./config.ts";
import { createSecurityStore } from "./db/account-security.ts";
import { CONSOLE_SCHEMA, migrations } from "./db/migrations.ts";
import type { ConsoleDatabase } from "./db/schema.ts";
import { createTeamStore } from "./db/team.ts";
import { createUserStore, type UserStore } from "./db/users.ts";
import { createApp } from "./handlers/app.ts";
import { startAuditRelay } from "./handlers/audit-relay.ts";
import { createDispatcherClient } from "./handlers/dispatcher-client.ts";
import { createInboundClient } from "./handlers/inbound-client.ts";
import { createPricingClient } from "./handlers/pricing-client.ts";
import { createRoutingClient } from "./handlers/routing-client.ts";

export interface StartedConsole extends RunningService {
  /** The HTTP port (useful when HTTP_PORT is 0). */
  port: number;
  healthPort: number;
  users: UserStore;
}

/**
 * Opens the `console` schema (users, sessions), connects to NATS for pricing's, the
 * inbound service's and routing's requests,
 * reads the event store's projection through its read functions, and serves the pages.
 */
export async function startConsole(config: ConsoleConfig, log: Logger): Promise<StartedConsole> {
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((error: unknown) => log.warn({ err: error }, "close failed"));
    }
  };
  try {
    const database = await openServiceDatabase<ConsoleDatabase>(
      config,
      CONSOLE_SCHEMA,
      migrations,
      {
        max: config.DATABASE_POOL_MAX,
      },
    );
    closers.push(() => database.close());
    const users = createUserStore(database.db);

    const messaging = await openMessaging(config, "console", log);
    closers.push(() => messaging.close());
    const pricing = createPricingClient(messaging.nats, config.NATS_PREFIX, config.RPC_TIMEOUT_MS);

    // Team changes' audit entries: sent after each change, and retried until pricing has them.
    const audit = startAuditRelay(database.db, pricing, log, config.AUDIT_RETRY_MS);
    closers.push(async () => audit.stop());
    const box = config.CONSOLE_SECRETS_KEY
      ? createSecretBox(config.CONSOLE_SECRETS_KEY, config.CONSOLE_SECRETS_KEY_PREVIOUS)
      : undefined;
    const security = createSecurityStore(database.db);
    if (!box) log.warn("CONSOLE_SECRETS_KEY is not set: members cannot turn two-factor on");
    if (box && config.CONSOLE_SECRETS_KEY_PREVIOUS) {
      const resealed = await security.resealTotp(box);
      log.info({ resealed }, "TOTP secrets sealed under the current key");
    }

    const windowMs = config.LOGIN_WINDOW_MINUTES * 60_000;
    const app = createApp({
      users,
      team: createTeamStore(database.db),
      security,
      audit,
      box,
      reauthWindowMs: config.REAUTH_MINUTES * 60_000,
      invitationTtlMs: config.INVITATION_HOURS * 3_600_000,
      publicUrl: config.PUBLIC_CONSOLE_URL,
      pricing,
      dispatcher: createDispatcherClient(
        messaging.nats,
        config.NATS_PREFIX,
        config.TEST_WEBHOOK_TIMEOUT_MS,
      ),
      inbound: createInboundClient(messaging.nats, config.NATS_PREFIX, config.RPC_TIMEOUT_MS),
      routing: createRoutingClient(messaging.nats, config.NATS_PREFIX, config.RPC_TIMEOUT_MS),
      allowPrivateCallbacks: config.WEBHOOK_ALLOW_PRIVATE,
      log: createAccountLogReader(database.sql),
      trail: createMessageReader(database.sql),
      logger: log,
      apiUrl: config.PUBLIC_API_URL ?? config.INGRESS_URL,
      ingressUrl: config.INGRESS_URL,
      smppAddress: config.PUBLIC_SMPP_ADDRESS,
      testCredits: config.TEST_CREDITS,
      idleMs: config.SESSION_IDLE_HOURS * 3_600_000,
      maxMs: config.SESSION_MAX_HOURS * 3_600_000,
      secureCookies: config.COOKIE_SECURE,
      trustProxy: config.TRUST_PROXY,
      login: { maxFailures: config.LOGIN_MAX_FAILURES, windowMs },
      signup: { maxFailures: config.SIGNUPS_PER_IP_HOUR, windowMs: 3_600_000 },
      rpcTimeoutMs: config.RPC_TIMEOUT_MS,
    });

    const sweep = setInterval(() => {
      users
        .deleteExpiredSessions()
        .catch((error: unknown) => log.warn({ err: error }, "expired sessions not deleted"));
    }, 10 * 60_000);
    sweep.unref();
    closers.push(async () => clearInterval(sweep));

    let stopping = false;
    const server = await listen(app, config.HTTP_PORT, config.HTTP_HOST);
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    );
    const ready = () => !stopping && !messaging.nats.nc.isClosed();
    const health = await startHealthServer(config.HEALTH_PORT, config.HTTP_HOST, {
      live: () => true,
      ready,
    });
    closers.push(() => health.close());
    const port = (server.address() as AddressInfo).port;
    log.info({ port, host: config.HTTP_HOST }, "console listening");

    return {
      port,
      healthPort: health.port,
      users,
      ready,
      async stop() {
        if (stopping) return;
        stopping = true;
        // Health and HTTP first (no new work), then NATS drains, then the pool.
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) =>
      error ? reject(error) : resolve(server),
    );
  });
}
