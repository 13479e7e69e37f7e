import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { answerProbe, type HealthServer, type Probes } from "@smsgw/service-kit";
import type { Submission } from "../domain/submission.ts";

/**
 * The health server, plus `GET /submissions` (optionally `?carrierId=sim-a`): the received
 * submits as JSON, oldest first, for tests and for a look by hand.
 */
export async function startSimulatorHttp(
  port: number,
  host: string,
  probes: Probes,
  submissions: () => Submission[],
): Promise<HealthServer> {
  const server = createServer((req, res) => {
    if (answerProbe(req, res, probes)) return;
    const url = new URL(req.url ?? "/", "http://simulator");
    if (req.method === "GET" && url.pathname === "/submissions") {
      const carrierId = url.searchParams.get("carrierId");
      const list = submissions().filter((s) => carrierId === null || s.carrierId === carrierId);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(list));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "not_found" }));
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
