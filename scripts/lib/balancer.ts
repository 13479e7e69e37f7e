import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** How long a replica that refused a connection is left out of the first choice. */
const DOWN_FOR_MS = 1_000;

/**
 * A round-robin HTTP balancer in front of the ingress replicas, as a Kubernetes Service or
 * a load balancer is in production: a replica that refuses connections (dead, restarting)
 * is skipped and the request goes to the next one, and for a second it is nobody's first
 * choice (as a Service drops an endpoint that fails its probe). Only a refused connection
 * is retried — the request never reached a replica — never one that broke mid-way (it may
 * have been charged).
 */
export async function startBalancer(
  upstreams: readonly number[],
  port = 0,
): Promise<{ port: number; close(): Promise<void> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const downUntil = upstreams.map(() => 0);
  let next = 0;
  /** The round robin's next replica, passing over those that refused a moment ago. */
  const firstChoice = (): number => {
    const now = Date.now();
    for (let looked = 0; looked < upstreams.length; looked++) {
      const index = next++ % upstreams.length;
      if ((downUntil[index] ?? 0) <= now) return index;
    }
    return next++ % upstreams.length;
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => forward(firstChoice(), 1));
    // A retry goes to the replica after the one that refused, not to the shared counter's
    // next: with requests interleaved that could be the refusing one again.
    const forward = (index: number, tries: number) => {
      const out = request(
        {
          host: "127.0.0.1",
          port: upstreams[index],
          path: req.url,
          method: req.method,
          headers: req.headers,
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "ECONNREFUSED") {
          downUntil[index] = Date.now() + DOWN_FOR_MS;
          if (tries < upstreams.length) return forward((index + 1) % upstreams.length, tries + 1);
        }
        if (!res.headersSent) res.writeHead(502).end(JSON.stringify({ status: "bad_gateway" }));
        else res.destroy();
      });
      out.end(Buffer.concat(chunks));
    };
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
