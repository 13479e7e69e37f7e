import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { metricsRegistry } from "../telemetry/metrics.ts";

export interface Probes {
  /** The process is alive and not wedged. */
  live(): boolean;
  /** It can take work now: connections up, start-up done, not shutting down. */
  ready(): boolean;
}

/** Answers /healthz and /readyz; null for any other path so a caller can serve it. */
export function answerProbe(req: IncomingMessage, res: ServerResponse, probes: Probes): boolean {
  const path = (req.url ?? "/").split("?")[0];
  if (path !== "/healthz" && path !== "/readyz") return false;
  const ok = path === "/healthz" ? probes.live() : probes.ready();
  res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
  res.end(JSON.stringify({ status: ok ? "ok" : "unavailable" }));
  return true;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** Answers GET /metrics in Prometheus text format; false for any other path. */
export function answerMetrics(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? "/").split("?")[0];
  if (path !== "/metrics") return false;
  metricsRegistry
    .metrics()
    .then((body) => {
      res.writeHead(200, { "content-type": metricsRegistry.contentType });
      res.end(body);
    })
    .catch(() => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "server_error" }));
    });
  return true;
}

/** Serves one more route; returns false when the request is not its own. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/** A tiny HTTP server for the probes of services that serve no other HTTP. */
export async function startHealthServer(
  port: number,
  host: string,
  probes: Probes,
  extra?: ExtraRoute,
): Promise<HealthServer> {
  const server = createServer((req, res) => {
    if (!answerProbe(req, res, probes) && !answerMetrics(req, res) && !extra?.(req, res)) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "not_found" }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
