import { rmSync } from "node:fs";
import { type NatsServerProcess, startNatsServer } from "../../packages/testkit/src/nats-server.ts";
import { portOpen } from "./infra.ts";

/**
 * A 3-node NATS JetStream cluster on loopback, from the machine's nats-server: clients on
 * 4301-4303, routes on 6301-6303, each node with its own store under /tmp. What the
 * production manifests run (three replicas of the stream), small enough for one box.
 */
export interface NatsCluster {
  /** The client URL list every service gets (`NATS_URL`). */
  readonly url: string;
  readonly nodes: number;
  /** kill -9 of one node (0-based). */
  kill(node: number): Promise<void>;
  /** Starts a node again on its old store; resolves when it accepts clients. */
  start(node: number): Promise<void>;
  stop(): Promise<void>;
}

const NODES = 3;
const clientPort = (node: number) => 4301 + node;
const routePort = (node: number) => 6301 + node;
const STORE = "/tmp/smsgw-nats-cluster";

export async function startNatsCluster(say: (line: string) => void): Promise<NatsCluster> {
  for (let node = 0; node < NODES; node++) {
    if (await portOpen(clientPort(node)))
      throw new Error(`port ${clientPort(node)} is taken: is another cluster drill running?`);
  }
  rmSync(STORE, { recursive: true, force: true });
  const servers = new Map<number, NatsServerProcess>();
  const routes = Array.from({ length: NODES }, (_, n) => `nats://127.0.0.1:${routePort(n)}`).join(
    ",",
  );

  const start = async (node: number) => {
    const server = await startNatsServer({
      port: clientPort(node),
      dir: `${STORE}/n${node + 1}`,
      args: [
        "--name",
        `n${node + 1}`,
        "--cluster_name",
        "smsgw",
        "--cluster",
        `nats://127.0.0.1:${routePort(node)}`,
        "--routes",
        routes,
      ],
    });
    servers.set(node, server);
  };

  const kill = async (node: number) => {
    const server = servers.get(node);
    if (!server) return;
    servers.delete(node);
    await server.kill();
  };

  await Promise.all(Array.from({ length: NODES }, (_, n) => start(n)));
  // JetStream needs a meta leader before streams can be created.
  await new Promise((r) => setTimeout(r, 3_000));
  say(`NATS cluster up: 3 nodes on 127.0.0.1:${clientPort(0)}-${clientPort(NODES - 1)}`);
  return {
    url: Array.from({ length: NODES }, (_, n) => `nats://127.0.0.1:${clientPort(n)}`).join(","),
    nodes: NODES,
    kill,
    start,
    async stop() {
      await Promise.all([...servers.keys()].map(kill));
      rmSync(STORE, { recursive: true, force: true });
    },
  };
}
