import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AccountRecord } from "@smsgw/contracts";
import { createMessageReader } from "@smsgw/event-store";
import {
  type KvCache,
  type Logger,
  openDatabase,
  openMessaging,
  startKvCache,
} from "@smsgw/service-kit";
import type { IngressConfig } from "./config.ts";
import { createRateLimiter } from "./domain/token-bucket.ts";
import { createApp } from "./handlers/app.ts";
import { createAuthenticator } from "./handlers/auth.ts";
import { createAuthorizer } from "./handlers/authorizer.ts";
import type { MessageReader } from "./handlers/message-status.ts";

export interface StartedIngress {
  /** True once the accounts are loaded and the HTTP port is open, until stop begins. */
  ready(): boolean;
  /** Stops accepting, finishes the requests in flight, drains NATS, closes the pool. */
  stop(): Promise<void>;
  /** The bound HTTP port (useful with HTTP_PORT=0). */
  port: number;
}

export async function startIngress(config: IngressConfig, log: Logger): Promise<StartedIngress> {
  const messaging = await openMessaging(config, "ingress", log);
  const database = openDatabase(config.DATABASE_URL, "ingress", { max: config.DATABASE_POOL_MAX });
  let accounts: KvCache<AccountRecord> | undefined;
  let server: Server | undefined;
  const closeAll = async () => {
    await accounts?.stop();
    await messaging.close();
    await database.close();
  };

  let listening = false;
  let stopping = false;
  try {
    accounts = await startKvCache(
      messaging.nats.nc,
      messaging.subjects.accountsBucket,
      AccountRecord,
      log,
    );
    const now = () => Date.now();
    const authenticator = createAuthenticator(accounts);
    const accountLimiter = createRateLimiter({
      ratePerSec: config.ACCOUNT_RATE_PER_SEC,
      burst: config.ACCOUNT_BURST,
    });
    const reader: MessageReader = createMessageReader(database.sql);
    const app = createApp({
      send: {
        maxParts: config.MAX_PARTS,
        authenticator,
        accountLimiter,
        authorizer: createAuthorizer(
          messaging.nats.nc,
          messaging.subjects.authorize,
          config.AUTHORIZE_TIMEOUT_MS,
        ),
        publisher: messaging.publisher,
        log,
        now,
      },
      status: { authenticator, accountLimiter, reader, now },
      ipLimiter: createRateLimiter({ ratePerSec: config.IP_RATE_PER_SEC, burst: config.IP_BURST }),
      probes: {
        live: () => true,
        ready: () => listening && !stopping && !messaging.nats.nc.isClosed(),
      },
      log,
      trustProxy: config.TRUST_PROXY,
      maxBodyBytes: config.MAX_BODY_BYTES,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
      now,
    });
    server = createServer(
      {
        // Backstops below the app's own deadline: slow headers or bodies cannot hold a socket.
        headersTimeout: config.REQUEST_TIMEOUT_MS,
        requestTimeout: config.REQUEST_TIMEOUT_MS + 5_000,
        connectionsCheckingInterval: 1_000,
        // A long text in a GET query string is answered by the app (invalid_params), not
        // refused by node with a bare 431.
        maxHeaderSize: Math.max(16 * 1024, config.MAX_BODY_BYTES),
      },
      app,
    );
    await listen(server, config.HTTP_PORT, config.HTTP_HOST);
    listening = true;
  } catch (error) {
    server?.close();
    await closeAll();
    throw error;
  }

  const bound = server;
  const port = (bound.address() as AddressInfo).port;
  log.info({ host: config.HTTP_HOST, port }, "ingress listening");
  return {
    port,
    ready: () => listening && !stopping && !messaging.nats.nc.isClosed(),
    async stop() {
      if (stopping) return;
      stopping = true;
      await closeServer(bound, config.REQUEST_TIMEOUT_MS);
      await closeAll();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Stops accepting; requests in flight finish (idle keep-alive sockets close at once). */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const hard = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(hard);
      resolve();
    });
    server.closeIdleConnections();
  });
}
