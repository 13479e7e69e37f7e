/**
 * `pnpm start`: the whole gateway on this machine, in the foreground. Reuses (or starts)
 * NATS and PostgreSQL, runs every service as its own process with its logs prefixed,
 * creates the demo account, and prints how to send a first message. Ctrl-C stops it all.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ensureDatabase, ensureInfrastructure, portOpen } from "./infra.ts";
import { formatLine, prefixer } from "./log-lines.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WEBHOOK_SINK_PORT = 8099;

/** Start order: the simulator first (carriers), then the consumers, the API last. */
const SERVICES = [
  { name: "smsc-simulator", healthPort: 8086 },
  { name: "event-store", healthPort: 8085 },
  { name: "pricing", healthPort: 8081 },
  { name: "routing", healthPort: 8082 },
  { name: "carrier-connector", healthPort: 8083 },
  { name: "dlr-dispatcher", healthPort: 8084 },
  { name: "ingress", healthPort: 8080 },
] as const;

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NATS_URL: process.env.NATS_URL ?? "nats://127.0.0.1:4222",
  DATABASE_URL: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/smsgw",
  NATS_PREFIX: process.env.NATS_PREFIX ?? "sms",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
  // The local stack's webhook receiver listens on loopback.
  WEBHOOK_ALLOW_PRIVATE: "true",
  // Services stop by themselves if this process dies without stopping them.
  STOP_WITH_PARENT_PID: String(process.pid),
};

const label = prefixer([...SERVICES.map((s) => s.name), "webhooks", "stack"]);
const say = (line: string) => process.stdout.write(`${label("stack")}${line}\n`);
const children = new Map<string, ChildProcess>();
let stopping = false;

function pipeLines(name: string, stream: NodeJS.ReadableStream | null) {
  if (!stream) return;
  createInterface({ input: stream }).on("line", (line) => {
    process.stdout.write(`${label(name)}${formatLine(line)}\n`);
  });
}

function startService(name: string) {
  const child = spawn(process.execPath, [join(root, "services", name, "src", "main.ts")], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.set(name, child);
  pipeLines(name, child.stdout);
  pipeLines(name, child.stderr);
  child.on("exit", (code, signal) => {
    children.delete(name);
    if (!stopping) {
      say(`\x1b[31m${name} exited (${signal ?? code}); stopping the stack\x1b[0m`);
      void stopAll(1);
    }
  });
}

async function waitReady(name: string, port: number) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not become ready on :${port}/readyz within 60 s`);
}

function startWebhookSink() {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      process.stdout.write(
        `${label("webhooks")}${req.method} ${req.url} id=${req.headers["webhook-id"]} ${body}\n`,
      );
      res.writeHead(204).end();
    });
  });
  server.listen(WEBHOOK_SINK_PORT, "127.0.0.1");
  return server;
}

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  say("stopping…");
  const exits = [...children.values()].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
      }),
  );
  await Promise.all(exits);
  say("stopped");
  process.exit(code);
}

function demoAccount(): { hash: string; token: string; webhookSecret: string } {
  const result = spawnSync(
    process.execPath,
    [join(root, "services", "pricing", "src", "cli.ts"), "accounts", "demo", "--json"],
    { env, encoding: "utf8" },
  );
  if (result.status !== 0)
    throw new Error(`creating the demo account failed: ${result.stderr || result.stdout}`);
  return JSON.parse(result.stdout);
}

async function main() {
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));
  // pnpm may exit on a signal without passing it on: stop when our parent is gone.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stopAll(0);
  }, 1_000).unref();
  await ensureInfrastructure(say);
  await ensureDatabase("postgres://postgres@127.0.0.1:5432/postgres", "smsgw");
  for (const { name, healthPort } of SERVICES) {
    if (await portOpen(healthPort))
      throw new Error(`port ${healthPort} (${name}) is taken: is another stack running?`);
  }
  const sink = startWebhookSink();
  for (const { name, healthPort } of SERVICES) {
    startService(name);
    await waitReady(name, healthPort);
  }
  const demo = demoAccount();
  const base = "http://127.0.0.1:8080";
  const callback = encodeURIComponent(`http://127.0.0.1:${WEBHOOK_SINK_PORT}/dlr`);
  const send = `curl -s '${base}/?hash=${demo.hash}&token=${demo.token}&toNumber=%2B37256789045&fromNumber=MyApp&text=Hello%20from%20the%20gateway&callbackUrl=${callback}'`;
  const lines = [
    "",
    "\x1b[1mThe gateway is up\x1b[0m (carriers simulated: sim-a on :2775, sim-b on :2776).",
    `  demo account hash    ${demo.hash}`,
    `  demo account token   ${demo.token}   (shown once; a restart issues a new one)`,
    `  webhook secret       ${demo.webhookSecret}`,
    "",
    "Send a first message (its delivery reports arrive below, prefixed 'webhooks'):",
    `  ${send}`,
    "",
    "Then fetch its status (put the messageId from the answer in place of MSG_ID):",
    `  curl -s -u '${demo.hash}:${demo.token}' ${base}/v1/messages/MSG_ID`,
    "",
    "Ctrl-C stops everything.",
    "",
  ];
  for (const line of lines) say(line);
  process.on("exit", () => sink.close());
}

main().catch((error: unknown) => {
  say(`\x1b[31m${error instanceof Error ? error.message : String(error)}\x1b[0m`);
  void stopAll(1);
});
