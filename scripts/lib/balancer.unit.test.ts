import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startBalancer } from "./balancer.ts";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/**
 * Ports nothing listens on: below 1024, where no test binds (a port bound once and closed could
 * be taken by another test file running beside this one, whose server would never answer).
 */
const DEAD_PORTS = [1, 2] as const;

describe("the drill's balancer", () => {
  it("sends every request to the live replica while the other refuses connections", async () => {
    const served: string[] = [];
    const live = await listen(
      createServer((req, res) => {
        served.push(req.url ?? "");
        res.end("ok");
      }),
    );
    const balancer = await startBalancer([DEAD_PORTS[0], live]);
    closers.push(balancer.close);

    // Concurrent, as the drill's load is: each retry must not follow the shared round robin.
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, n) =>
        fetch(`http://127.0.0.1:${balancer.port}/?n=${n}`).then((r) => r.status),
      ),
    );

    expect(answers.filter((status) => status !== 200)).toEqual([]);
    expect(served).toHaveLength(60);
  });

  it("answers 502 when no replica takes the connection", async () => {
    const balancer = await startBalancer([...DEAD_PORTS]);
    closers.push(balancer.close);

    const answer = await fetch(`http://127.0.0.1:${balancer.port}/`);

    expect(answer.status).toBe(502);
  });
});
