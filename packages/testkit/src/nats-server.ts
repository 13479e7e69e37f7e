import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

/**
 * A nats-server process the project starts itself (the machine's binary, `nats-server` on
 * PATH or NATS_SERVER_BIN), with JetStream on its own store: the cluster drill's nodes, and
 * tests that need a server of their own (the permission file, ADR 0015).
 */
export interface NatsServerProcess {
  readonly port: number;
  readonly url: string;
  readonly pid: number | undefined;
  /** The server's log so far (permission violations are logged here). */
  log(): string;
  /** SIGKILL (a crash); resolves when the process has exited. */
  kill(): Promise<void>;
  /** SIGTERM, SIGKILL after two seconds; resolves when the process has exited. */
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  port: number;
  /** The store and the log live here (created when missing). */
  dir: string;
  /** Extra arguments (`--cluster …`, `--name …`). */
  args?: string[];
  /**
   * Configuration text (written to `<dir>/nats.conf`, with `include` paths relative to it);
   * the command-line options above still apply over it.
   */
  config?: string;
  /** Files written beside the configuration (what it `include`s: nats-server joins the path to its directory). */
  files?: Record<string, string>;
  /** Environment of the server: the variables a configuration refers to (`$PASSWORD`). */
  env?: Record<string, string>;
  /** How long to wait for the client port (default 30 s). */
  timeoutMs?: number;
}

export async function startNatsServer(options: NatsServerOptions): Promise<NatsServerProcess> {
  const { port, dir } = options;
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, "server.log");
  writeFileSync(logFile, "");
  const args = ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir, "-l", logFile];
  for (const [name, text] of Object.entries(options.files ?? {}))
    writeFileSync(join(dir, name), text);
  if (options.config !== undefined) {
    writeFileSync(join(dir, "nats.conf"), options.config);
    args.unshift("-c", join(dir, "nats.conf"));
  }
  const child = spawn(
    process.env.NATS_SERVER_BIN ?? "nats-server",
    [...args, ...(options.args ?? [])],
    {
      stdio: ["ignore", "ignore", "pipe"],
      env: { PATH: process.env.PATH ?? "", ...options.env },
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const log = () => readFileSync(logFile, "utf8");
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child, 0);
      throw new Error(`nats-server on ${port} did not start: ${stderr}${log().slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    pid: child.pid,
    log,
    kill: () => stopChild(child, 0),
    stop: () => stopChild(child, 2_000),
  };
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill(graceMs === 0 ? "SIGKILL" : "SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
