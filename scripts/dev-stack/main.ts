/**
 * `pnpm start`: the whole gateway on this machine, in the foreground. Reuses (or starts)
 * PostgreSQL, starts its own NATS with a user per service (nats.ts; NATS_URL to use another),
 * runs every service as its own process with its logs prefixed,
 * creates the demo account, and prints how to send a first message. Ctrl-C stops it all.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDatabase, ensureInfrastructure, portOpen } from "../lib/infra.ts";
import { processGroup, SERVICES, STACK_PORTS, waitReady } from "../lib/processes.ts";
import { flagLocalSimulators, LOCAL_CARRIERS } from "./carriers.ts";
import { demoLoginCommand } from "./console-login.ts";
import { formatLine, prefixer } from "./log-lines.ts";
import { type DevNats, startDevNats } from "./nats.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WEBHOOK_SINK_PORT = 8099;
const CONSOLE = { port: 8087, healthPort: 8088, email: "demo@smsgw.local" };
/** Customers' SMPP binds (services/smpp-server); not in SERVICES, so the bench stays as it was. */
const SMPP_SERVER = { port: 2875, healthPort: 8090 };
/** Numbers and inbound messages (services/inbound); not in SERVICES either. */
const INBOUND = { healthPort: 8094 };
/** The simulator's numbers the stack puts in the inventory: sim-a delivers their MO. */
const SIMULATOR_NUMBERS = ["+37250000001", "+37250000002", "+37250000003"];

const env: NodeJS.ProcessEnv = {
  ...process.env,
  // NATS_URL: the stack's own NATS (startDevNats), set in main.
  DATABASE_URL: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/smsgw",
  NATS_PREFIX: process.env.NATS_PREFIX ?? "sms",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
  // The local stack's webhook receiver listens on loopback.
  WEBHOOK_ALLOW_PRIVATE: "true",
  // Services stop by themselves if this process dies without stopping them.
  STOP_WITH_PARENT_PID: String(process.pid),
  // The simulator's carriers, flagged as simulators: the demo (test) account may use them.
  CARRIERS: JSON.stringify(LOCAL_CARRIERS),
};

const label = prefixer([
  ...SERVICES.map((s) => s.name),
  "smpp-server",
  "inbound",
  "console",
  "webhooks",
  "stack",
]);
const say = (line: string) => process.stdout.write(`${label("stack")}${line}\n`);
let stopping = false;
let nats: DevNats | undefined;
const group = processGroup(
  root,
  env,
  (name, line) => process.stdout.write(`${label(name)}${formatLine(line)}\n`),
  (name, code, signal) => {
    say(`\x1b[31m${name} exited (${signal ?? code}); stopping the stack\x1b[0m`);
    void stopAll(1);
  },
);

/**
 * The console's key for members' TOTP secrets, drawn once and kept in .dev-stack/ (ignored by
 * git, mode 600): a new key each start would make every enrolled code unreadable.
 */
function consoleSecretsKey(): string {
  const file = join(root, ".dev-stack", "console-secrets-key");
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
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
  await group.stopAll();
  await nats?.stop();
  say("stopped");
  process.exit(code);
}

function demoAccount(): { accountId: string; hash: string; token: string; webhookSecret: string } {
  const result = spawnSync(
    process.execPath,
    [join(root, "services", "pricing", "src", "cli.ts"), "accounts", "demo", "--json"],
    { env: { ...env, ...nats?.envOf("pricing") }, encoding: "utf8" },
  );
  if (result.status !== 0)
    throw new Error(`creating the demo account failed: ${result.stderr || result.stdout}`);
  return JSON.parse(result.stdout);
}

/** The simulator's numbers in the inventory (idempotent: a restart finds them there). */
function seedSimulatorNumbers(): void {
  const result = spawnSync(
    process.execPath,
    [
      join(root, "services", "inbound", "src", "cli.ts"),
      "numbers",
      "add",
      ...SIMULATOR_NUMBERS,
      "carrier=sim-a",
      "simulator=true",
    ],
    { env: { ...env, ...nats?.envOf("inbound") }, encoding: "utf8" },
  );
  if (result.status !== 0)
    throw new Error(`seeding the simulator's numbers failed: ${result.stderr || result.stdout}`);
}

/** New SMPP credentials of the demo account (the password is shown once, like the token). */
function demoSmppCredentials(): { systemId: string; password: string } {
  const result = spawnSync(
    process.execPath,
    [
      join(root, "services", "pricing", "src", "cli.ts"),
      "accounts",
      "smpp-credentials",
      "--name",
      "demo",
      "--json",
    ],
    { env: { ...env, ...nats?.envOf("pricing") }, encoding: "utf8" },
  );
  if (result.status !== 0)
    throw new Error(`the demo's SMPP credentials failed: ${result.stderr || result.stdout}`);
  return JSON.parse(result.stdout).smpp;
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
  for (const { name, port } of [
    ...STACK_PORTS,
    { name: "smpp-server", port: SMPP_SERVER.port },
    { name: "smpp-server health", port: SMPP_SERVER.healthPort },
    { name: "inbound health", port: INBOUND.healthPort },
  ]) {
    if (await portOpen(port))
      throw new Error(`port ${port} (${name}) is taken: is another stack running?`);
  }
  nats = await startDevNats(root, say);
  env.NATS_URL = nats.url;
  // Each service as its own NATS user (the simulator does not use NATS).
  const start = (name: string) =>
    group.start(name, {
      key: name,
      env: name === "smsc-simulator" ? {} : (nats?.envOf(name) ?? {}),
    });
  const sink = startWebhookSink();
  for (const { name, healthPort } of SERVICES) {
    if (name === "carrier-connector") flagLocalSimulators(root, env, say);
    start(name);
    await waitReady(name, healthPort);
  }
  const demo = demoAccount();
  start("smpp-server");
  await waitReady("smpp-server", SMPP_SERVER.healthPort);
  const smpp = demoSmppCredentials();
  start("inbound");
  await waitReady("inbound", INBOUND.healthPort);
  seedSimulatorNumbers();
  // The customer console, with a login onto the demo account (a new password each start).
  env.CONSOLE_SECRETS_KEY = consoleSecretsKey();
  start("console");
  await waitReady("console", CONSOLE.healthPort);
  const consolePassword = randomBytes(9).toString("base64url");
  const command = demoLoginCommand(root, env, {
    accountId: demo.accountId,
    email: CONSOLE.email,
    password: consolePassword,
  });
  const login = spawnSync(process.execPath, command.args, {
    env: command.env,
    encoding: "utf8",
  });
  if (login.status !== 0) throw new Error(`the console's demo login failed: ${login.stderr}`);
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
    `Or watch it in the console: http://127.0.0.1:${CONSOLE.port}  (log in as ${CONSOLE.email} / ${consolePassword})`,
    "",
    "Then fetch its status (put the messageId from the answer in place of MSG_ID):",
    `  curl -s -u '${demo.hash}:${demo.token}' ${base}/v1/messages/MSG_ID`,
    "",
    "Or bind over SMPP 3.4 (any client; submit_sm answers the same msg_ ids):",
    `  smpp://${smpp.systemId}:${smpp.password}@127.0.0.1:${SMPP_SERVER.port}`,
    "",
    "Two-way: take a simulator number, point its inbound URL here, and have sim-a send an MO:",
    `  curl -s -u '${demo.hash}:${demo.token}' -H 'content-type: application/json' -d '{"country":"EE"}' ${base}/v1/numbers`,
    `  curl -s -u '${demo.hash}:${demo.token}' -X PATCH -H 'content-type: application/json' -d '{"inboundUrl":"http://127.0.0.1:${WEBHOOK_SINK_PORT}/mo"}' ${base}/v1/numbers/%2B37250000001`,
    `  curl -s -H 'content-type: application/json' -d '{"from":"+37256789045","to":"+37250000001","text":"Hello back"}' http://127.0.0.1:8086/carriers/sim-a/mo`,
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
