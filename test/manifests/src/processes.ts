import { type ChildProcess, spawn } from "node:child_process";

export { freePort } from "@smsgw/testkit";

export interface Started {
  name: string;
  child: ChildProcess;
  output(): string;
  /** The exit code, once exited. */
  exited: Promise<number | null>;
}

/** Spawns a command the way an image's CMD does: a process with only `env` as environment. */
export function start(
  name: string,
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Started {
  // PATH only so `sh` and `node` resolve; nothing else of this process's environment leaks in.
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { name, child, output: () => out, exited };
}

/** Polls `url` until it answers 200; fails with the process's output if it exits or times out. */
export async function waitReady(p: Started, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void p.exited.then((code) => {
    exitCode = code;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`${p.name} exited (${exitCode}) before ready:\n${p.output().slice(-3000)}`);
    }
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${p.name} not ready at ${url}:\n${p.output().slice(-3000)}`);
}

/** SIGTERM, as Kubernetes and compose stop a container; resolves with the exit code. */
export async function stop(p: Started, graceMs = 20_000): Promise<number | null> {
  if (p.child.exitCode !== null) return p.child.exitCode;
  p.child.kill("SIGTERM");
  const timer = setTimeout(() => p.child.kill("SIGKILL"), graceMs);
  const code = await p.exited;
  clearTimeout(timer);
  return code;
}
