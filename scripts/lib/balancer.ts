import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A round-robin HTTP balancer in front of the ingress replicas, as a Kubernetes Service or
 * a load balancer is in production: a replica that refuses connections (dead, restarting)
 * is skipped and the request goes to the next one. Only a refused connection is retried —
 * the request never reached a replica — never one that broke mid-way (it may have been
 * charged).
 */
export async function startBalancer(
  upstreams: readonly number[],
  port = 0,
): Promise<{ port: number; close(): Promise<void> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => forward(1));
    const forward = (tries: number) => {
      const upstream = upstreams[next++ % upstreams.length] as number;
      const out = request(
        {
          host: "127.0.0.1",
          port: upstream,
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
        if (error.code === "ECONNREFUSED" && tries < upstreams.length) return forward(tries + 1);
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
