import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** The gateway's processes, in start order: carriers first, consumers next, the API last. */
export const SERVICES = [
  { name: "smsc-simulator", healthPort: 8086 },
  { name: "event-store", healthPort: 8085 },
  { name: "pricing", healthPort: 8081 },
  { name: "routing", healthPort: 8082 },
  { name: "carrier-connector", healthPort: 8083 },
  { name: "dlr-dispatcher", healthPort: 8084 },
  { name: "ingress", healthPort: 8089 },
] as const;
/** smpp-server's health port, when a stack runs it (customers' SMPP on 2875). */
export const SMPP_SERVER_HEALTH_PORT = 8090;
/** The inbound service's health port, when a stack runs it (MO traffic: the drill, `bench --inbound`). */
export const INBOUND_HEALTH_PORT = 8094;

/** The health port of any service a stack may run. */
export function healthPortOf(name: string): number {
  if (name === "smpp-server") return SMPP_SERVER_HEALTH_PORT;
  if (name === "inbound") return INBOUND_HEALTH_PORT;
  return SERVICES.find((s) => s.name === name)?.healthPort ?? 0;
}
/** The ingress's API port (its probes and /metrics are on its health port, 8089). */
export const INGRESS_API_PORT = 8080;
/** The HTTP ports a local stack listens on: every health port, and the ingress's API. */
export const STACK_PORTS: ReadonlyArray<{ name: string; port: number }> = [
  ...SERVICES.map(({ name, healthPort }) => ({ name, port: healthPort })),
  { name: "ingress API", port: INGRESS_API_PORT },
];
export type ServiceName = (typeof SERVICES)[number]["name"];

export interface ProcessGroup {
  /** Keyed by instance: the service's name, or `<name>#<n>` for further replicas. */
  readonly children: ReadonlyMap<string, ChildProcess>;
  /** Starts a service; a further replica gets its own key and its own env overrides (ports). */
  start(name: string, replica?: { key: string; env: NodeJS.ProcessEnv }): ChildProcess;
  /** SIGTERM to all, SIGKILL after `graceMs`; resolves when every child has exited. */
  stopAll(graceMs?: number): Promise<void>;
}

/**
 * Runs services as separate processes with the project's Node, each line of their output
 * handed to `onLine`. `onExit` hears of a child that exits on its own. `env` is every
 * service's environment, or each one's by name (its own NATS user).
 */
export function processGroup(
  root: string,
  envOf: NodeJS.ProcessEnv | ((name: string) => NodeJS.ProcessEnv),
  onLine: (name: string, line: string) => void,
  onExit: (name: string, code: number | null, signal: NodeJS.Signals | null) => void,
): ProcessGroup {
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  return {
    children,
    start(name, replica) {
      const key = replica?.key ?? name;
      const env = typeof envOf === "function" ? envOf(name) : envOf;
      // SERVICE_NODE_ARGS: flags for the services' Node alone (NODE_OPTIONS refuses some),
      // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a bench's services.
      const nodeArgs = (env.SERVICE_NODE_ARGS ?? "").split(" ").filter(Boolean);
      const child = spawn(
        process.execPath,
        [...nodeArgs, join(root, "services", name, "src", "main.ts")],
        {
          env: replica ? { ...env, ...replica.env } : env,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      children.set(key, child);
      for (const stream of [child.stdout, child.stderr]) {
        if (stream) createInterface({ input: stream }).on("line", (line) => onLine(key, line));
      }
      child.on("exit", (code, signal) => {
        if (children.get(key) === child) children.delete(key);
        if (!stopping) onExit(key, code, signal);
      });
      return child;
    },
    async stopAll(graceMs = 15_000) {
      stopping = true;
      await Promise.all(
        [...children.values()].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once("exit", () => resolve());
              child.kill("SIGTERM");
              setTimeout(() => child.kill("SIGKILL"), graceMs).unref();
            }),
        ),
      );
    },
  };
}

/** A second replica's ports: every port of the service moved up by 1,000 (ingress 9080, …). */
export function secondReplica(name: ServiceName): {
  key: string;
  env: NodeJS.ProcessEnv;
  healthPort: number;
} {
  const healthPort = (SERVICES.find((s) => s.name === name)?.healthPort ?? 0) + 1_000;
  const env: NodeJS.ProcessEnv =
    name === "ingress"
      ? { HTTP_PORT: String(INGRESS_API_PORT + 1_000), HEALTH_PORT: String(healthPort) }
      : { HEALTH_PORT: String(healthPort), REPLICA_ID: `${name}-2` };
  const admin = { pricing: 8091, routing: 8092, "carrier-connector": 8093 } as Record<
    string,
    number
  >;
  if (admin[name]) env.ADMIN_PORT = String((admin[name] ?? 0) + 1_000);
  return { key: `${name}#2`, env, healthPort };
}

export async function waitReady(name: string, port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not become ready on :${port}/readyz within ${timeoutMs / 1000} s`);
}
