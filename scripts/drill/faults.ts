import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { portOpen } from "../lib/infra.ts";
import type { LoadStack } from "../lib/load-stack.ts";
import type { NatsCluster } from "../lib/nats-cluster.ts";
import { healthPortOf, waitReady } from "../lib/processes.ts";

export interface Fault {
  name: string;
  inject(stack: LoadStack): Promise<void>;
  recover(stack: LoadStack): Promise<void>;
}

async function waitPort(port: number, up: boolean, seconds = 30): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if ((await portOpen(port)) === up) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`port ${port} did not go ${up ? "up" : "down"} within ${seconds} s`);
}

function restartService(stack: LoadStack, name: string): Promise<void> {
  stack.group.start(name);
  return waitReady(name, healthPortOf(name));
}

/** kill -9: no graceful stop, no drain — what a crash or an OOM kill does. */
export const killService = (name: string): Fault => ({
  name: `kill -9 ${name}`,
  async inject(stack) {
    stack.group.children.get(name)?.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 200));
  },
  recover: (stack) => restartService(stack, name),
});

/**
 * The stack's own nats-server (under the permission file) stopped and started again on its
 * store: JetStream's state survives, as in a real restart. The machine's NATS is not touched.
 */
export const restartNats: Fault = {
  name: "NATS restart",
  async inject(stack) {
    if (!stack.nats) throw new Error("the stack runs no nats-server of its own");
    await stack.nats.shutdown();
  },
  async recover(stack) {
    await stack.nats?.start();
  },
};

const pgVersion = () => readdirSync("/etc/postgresql")[0] ?? "15";

export const restartPostgres: Fault = {
  name: "Postgres restart",
  async inject() {
    execFileSync("pg_ctlcluster", [
      "--skip-systemctl-redirect",
      pgVersion(),
      "main",
      "stop",
      "-m",
      "fast",
    ]);
    await waitPort(5432, false);
  },
  async recover() {
    execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", pgVersion(), "main", "start"]);
    await waitPort(5432, true);
  },
};

/**
 * The carriers drop every bind, again and again for the fault's duration (the simulator's
 * control API, as an SMSC restarting its front ends would): the connector rebinds each time,
 * and the receipts the carriers hold meanwhile arrive once a receiver is bound again.
 */
function dropBindsRepeatedly(): Fault {
  let timer: NodeJS.Timeout | undefined;
  const dropAll = () =>
    Promise.all(
      ["sim-a", "sim-b"].map((carrier) =>
        fetch(`http://127.0.0.1:8086/carriers/${carrier}/drop-binds`, { method: "POST" }).catch(
          () => undefined,
        ),
      ),
    );
  return {
    name: "carrier binds dropped",
    async inject() {
      await dropAll();
      timer = setInterval(() => void dropAll(), 1_000);
    },
    async recover() {
      clearInterval(timer);
    },
  };
}

/** The services on every message's path (the cluster drill runs two replicas of each). */
const REPLICATED = [
  "ingress",
  "pricing",
  "routing",
  "carrier-connector",
  "event-store",
  "dlr-dispatcher",
] as const;

export const webhookReceiverDown: Fault = {
  name: "webhook receiver down",
  async inject(stack) {
    await stack.ask("down");
  },
  async recover(stack) {
    await stack.ask("up");
  },
};

/** Every fault; the inbound service's kill when the stack runs it (MO traffic, issue 18). */
export function allFaults(options: { inbound: boolean }): Fault[] {
  return [
    ...[...REPLICATED, ...(options.inbound ? ["inbound"] : [])].map(killService),
    restartNats,
    restartPostgres,
    dropBindsRepeatedly(),
    webhookReceiverDown,
  ];
}

/** The cluster drill's faults: one NATS node, then one replica of every service, killed. */
export function clusterFaults(cluster: NatsCluster): Fault[] {
  return [
    {
      name: "kill -9 one NATS node (of 3)",
      inject: () => cluster.kill(1),
      recover: () => cluster.start(1),
    },
    {
      name: "kill -9 one replica of every service",
      async inject(stack) {
        for (const name of REPLICATED) stack.group.children.get(name)?.kill("SIGKILL");
        await new Promise((r) => setTimeout(r, 200));
      },
      async recover(stack) {
        await Promise.all(REPLICATED.map((name) => restartService(stack, name)));
      },
    },
  ];
}
