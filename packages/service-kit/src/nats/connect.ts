import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { type NatsSettings, natsAuthOptions } from "./auth.ts";

export interface Nats {
  /** The service this connection belongs to: its spans are named after it. */
  service: string;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/**
 * Connects with the settings' credentials and TLS (a bare URL: none, as on this machine's
 * NATS), under the user's own inbox prefix (natsAuthOptions).
 */
export async function connectNats(
  settings: NatsSettings | string,
  name: string,
  log: Logger,
): Promise<Nats> {
  const url = typeof settings === "string" ? settings : settings.NATS_URL;
  const nc = await connect({
    servers: url.split(","),
    name,
    ...(typeof settings === "string" ? {} : natsAuthOptions(settings)),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // Async stack traces cost ~22 µs of CPU per publish or request, the largest item in profiles.
    noAsyncTraces: true,
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect" || status.type === "reconnect" || status.type === "error") {
        log.warn({ nats: status.type }, "nats connection status changed");
      }
    }
  })();
  const jsm = await jetstreamManager(nc);
  return { service: name, nc, js: jetstream(nc), jsm };
}
