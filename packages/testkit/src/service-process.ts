import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/**
 * Another service of the gateway, run as its own process the way it runs in production
 * (`node services/<name>/src/main.ts`), for a test that needs it beside the service under
 * test: no service imports another's code, not even in its tests (ADR 0009 item 10).
 */
export interface ServiceProcess {
  /** The health server's port (`/healthz`, `/readyz`). */
  healthPort: number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const SERVICES_DIR = fileURLToPath(new URL("../../../services/", import.meta.url));

/**
 * Ports handed out below Linux's ephemeral range (32768-60999), where the kernel picks the
 * local port of every outgoing connection: a port taken from that range is free when asked,
 * but any test's next connect may take it before the child listens on it (EADDRINUSE).
 */
const RANGE_FROM = 20_000;
const RANGE_SPAN = 12_000;
/**
 * `handedOut` only knows this process's ports: two test files run at once (vitest workers)
 * could both find a port free and hand it to children that then race to listen on it. Each
 * worker therefore picks from a slice of its own, by its VITEST_POOL_ID (1…maxWorkers, unique
 * among the workers running at one time); a process outside vitest takes the whole range.
 */
const SLICES = 4;
export function portSlice(poolId = process.env.VITEST_POOL_ID): { from: number; span: number } {
  const id = Number(poolId);
  if (!Number.isInteger(id) || id < 1) return { from: RANGE_FROM, span: RANGE_SPAN };
  const span = Math.floor(RANGE_SPAN / SLICES);
  return { from: RANGE_FROM + ((id - 1) % SLICES) * span, span };
}
const handedOut = new Set<number>();

/** A port free at the time of asking, on 127.0.0.1, that no outgoing connection will take. */
export async function freePort(): Promise<number> {
  const { from, span } = portSlice();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * span);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
    handedOut.delete(port);
  }
  throw new Error("no free port below the ephemeral range after 50 tries");
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => resolve(true));
  });
  if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  return listening;
}

/**
 * Starts `services/<name>` with `env` (a test's `infra.env` and any overrides) and a free
 * HEALTH_PORT, and resolves once it answers `/readyz`. Fails with the process's last output
 * lines when it exits first or is not ready within `timeoutMs`. The child stops with the
 * test process (STOP_WITH_PARENT_PID) if `stop` is never called.
 */
export async function startServiceProcess(
  name: string,
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const healthPort = await freePort();
  const child = spawn(process.execPath, [`${SERVICES_DIR}${name}/src/main.ts`], {
    env: {
      PATH: process.env.PATH ?? "",
      ...env,
      HEALTH_PORT: String(healthPort),
      STOP_WITH_PARENT_PID: String(process.pid),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    output.splice(0, Math.max(0, output.length - 20));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const service = { healthPort, stop: (graceMs?: number) => stopChild(child, graceMs) };
  try {
    await waitReady(child, healthPort, options.timeoutMs ?? 30_000);
  } catch (error) {
    await service.stop(1_000);
    throw new Error(`${name}: ${(error as Error).message}\n${output.join("\n")}`);
  }
  return service;
}

async function waitReady(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    }
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready on :${port}/readyz within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
