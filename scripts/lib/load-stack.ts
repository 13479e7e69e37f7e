import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import postgres from "postgres";
import { NATS_OPERATOR_USER } from "../../packages/contracts/src/nats-permissions.ts";
import {
  type AuthorizedNats,
  startAuthorizedNats,
} from "../../packages/testkit/src/authorized-nats.ts";
import { pidsOf } from "../bench/proc-stats.ts";
import { ensureInfrastructure, portOpen } from "./infra.ts";
import {
  INBOUND_HEALTH_PORT,
  INGRESS_API_PORT,
  type ProcessGroup,
  processGroup,
  SERVICES,
  SMPP_SERVER_HEALTH_PORT,
  STACK_PORTS,
  secondReplica,
  waitReady,
} from "./processes.ts";

/**
 * The whole gateway as separate processes on a fresh database and subject prefix, with a
 * webhook receiver in a worker thread and two accounts with ample credit: what the
 * benchmark and the fault drills drive.
 */
export interface LoadStack {
  /** The shared environment: what the load generator's and the checks' own processes get (NATS as the operator). */
  env: NodeJS.ProcessEnv;
  /**
   * The stack's own nats-server under the permission file (absent with `natsUrl`): each
   * service logs in as its own user, and a grant a service lacks shows in `violations()`.
   */
  nats: AuthorizedNats | undefined;
  /** A service's environment (its CLI's too): `env` with its own NATS user. */
  envOf(name: string): NodeJS.ProcessEnv;
  group: ProcessGroup;
  receiver: Worker;
  receiverPort: number;
  /** The query string of the n-th compatible GET. */
  query(n: number): string;
  /** The same from a second account (the overload steps' quiet account). */
  quietQuery(n: number): string;
  ask<T>(kind: string): Promise<T>;
  /**
   * `VACUUM ANALYZE` of the stack's database: what autovacuum does on a production server.
   * This machine's Postgres runs with autovacuum off, so without it the planner never learns
   * that a table has grown: the plans cached while the tables were empty (sequential scans)
   * stay for the whole run and their cost grows with every message. The bench calls it
   * between steps, outside what it measures.
   */
  maintain(): Promise<void>;
  /** With `inbound`: the simulator numbers the load account holds, their MO POSTed to the receiver. */
  ownedNumbers: readonly string[];
  /** The stack's nats-server, whose CPU a run counts (with `natsUrl`: every nats-server on the machine). */
  natsPids(): number[];
  stop(): Promise<void>;
}

/**
 * Says the permission violations the stack's nats-server logged (a grant a service lacks),
 * and whether there were any: the bench and the drill flag their run with them.
 */
export function reportNatsViolations(stack: LoadStack, say: (line: string) => void): boolean {
  if (!stack.nats) return false;
  const violations = stack.nats.violations();
  if (violations.length === 0) {
    say("NATS permission violations: none");
    return false;
  }
  say(`NATS permission violations: ${violations.length}, the first ones:`);
  for (const line of violations.slice(0, 20)) say(`  ${line}`);
  return true;
}

export async function startLoadStack(options: {
  root: string;
  prefix: string;
  database: string;
  receiptDelayMs: number;
  say: (line: string) => void;
  extraEnv?: Record<string, string>;
  receiverPort?: number;
  /**
   * A NATS of the caller's, used without users (the cluster drill's three nodes). Without it
   * the stack starts a nats-server of its own (testkit `startAuthorizedNats`: the deployments'
   * permission file rendered for `prefix`, its store under /tmp) and runs each service as its
   * own user, the load generator and the checks as the operator.
   */
  natsUrl?: string;
  /** 2: a second replica of every service but the simulator (ports + 1,000: ingress on 9080). */
  replicas?: 1 | 2;
  /** Also smpp-server (customers' SMPP on 2875, health on 8090): the SMPP bench. */
  smppServer?: boolean;
  /**
   * Also the inbound service (health on 8094), with sim-a numbers held by the load account
   * and their inbound URL at the receiver: MO traffic (the drill, `bench --inbound`).
   */
  inbound?: boolean;
}): Promise<LoadStack> {
  const { root, prefix, database, say } = options;
  await ensureInfrastructure(say, { machineNats: false });
  for (const { name, port } of STACK_PORTS) {
    if (await portOpen(port))
      throw new Error(`port ${port} (${name}) is taken: stop the local stack first`);
  }
  const nats = options.natsUrl
    ? undefined
    : await startAuthorizedNats(prefix, { dir: `/tmp/smsgw-${prefix}-nats` });
  if (nats)
    say(`NATS: nats-server of the stack's own on ${nats.url}, a user per service (ADR 0015)`);
  const natsUrl = options.natsUrl ?? nats?.url ?? "";
  // As the operator: the load generator's, the checks' and the CLIs' own connections.
  const operator = nats?.envOf(NATS_OPERATOR_USER) ?? {};
  await resetState(prefix, database, natsUrl, operator);
  const receiver = new Worker(new URL("../bench/receiver.ts", import.meta.url), {
    workerData: { port: options.receiverPort ?? 0 },
  });
  const receiverPort = await new Promise<number>((resolve) => {
    receiver.once("message", (m: { port: number }) => resolve(m.port));
  });
  const ask = <T>(kind: string) =>
    new Promise<T>((resolve) => {
      receiver.once("message", (m: T) => resolve(m));
      receiver.postMessage({ kind });
    });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
    NATS_URL: natsUrl,
    ...operator,
    NATS_PREFIX: prefix,
    LOG_LEVEL: "warn",
    WEBHOOK_ALLOW_PRIVATE: "true",
    IP_RATE_PER_SEC: "1000000",
    IP_BURST: "1000000",
    ACCOUNT_RATE_PER_SEC: "1000000",
    ACCOUNT_BURST: "1000000",
    SIM_KEEP_SUBMISSIONS: "1000000",
    STOP_WITH_PARENT_PID: String(process.pid),
    SIM_CARRIERS: JSON.stringify(
      ["sim-a", "sim-b"].map((id, i) => ({
        id,
        port: 2775 + i,
        systemId: id,
        password: "secret",
        receiptDelayMs: options.receiptDelayMs,
        windowSize: 200,
      })),
    ),
    ...options.extraEnv,
  };
  const envOf = (name: string): NodeJS.ProcessEnv => ({ ...env, ...nats?.envOf(name) });
  const group = processGroup(
    root,
    envOf,
    (name, line) => {
      if (/"level":"(error|fatal)"/.test(line)) say(`${name}: ${line.slice(0, 300)}`);
    },
    (name, code, signal) => say(`${name} exited (${signal ?? code})`),
  );
  const stop = async () => {
    await group.stopAll();
    receiver.postMessage({ kind: "close" });
    await receiver.terminate();
    await nats?.stop();
  };
  try {
    for (const { name, healthPort } of SERVICES) {
      group.start(name);
      await waitReady(name, healthPort);
    }
    if (options.smppServer) {
      group.start("smpp-server");
      await waitReady("smpp-server", SMPP_SERVER_HEALTH_PORT);
    }
    if (options.inbound) {
      group.start("inbound");
      await waitReady("inbound", INBOUND_HEALTH_PORT);
    }
    if (options.replicas === 2) {
      for (const { name } of SERVICES) {
        if (name === "smsc-simulator") continue;
        const replica = secondReplica(name);
        group.start(name, replica);
        await waitReady(replica.key, replica.healthPort);
      }
    }
    const createAccount = (name: string) => {
      const created = spawnSync(
        process.execPath,
        [
          join(root, "services/pricing/src/cli.ts"),
          "accounts",
          "create",
          "--name",
          name,
          "--credits",
          "1000000",
          "--json",
        ],
        { env: envOf("pricing"), encoding: "utf8" },
      );
      if (created.status !== 0)
        throw new Error(`creating the ${name} account failed: ${created.stderr}`);
      return JSON.parse(created.stdout) as { hash: string; token: string };
    };
    const account = createAccount("load");
    const quiet = createAccount("quiet");
    const callbackUrl = `http://127.0.0.1:${receiverPort}/dlr`;
    const ownedNumbers = options.inbound
      ? await holdNumbers(root, envOf("inbound"), account, `http://127.0.0.1:${receiverPort}/mo`)
      : [];
    return {
      ownedNumbers,
      env,
      nats,
      envOf,
      group,
      receiver,
      receiverPort,
      ask,
      maintain: () => vacuumAnalyze(env.DATABASE_URL ?? ""),
      natsPids: () => (nats ? [nats.pid() ?? 0] : pidsOf("nats-server")),
      stop,
      query: (n) => sendQuery(account, n, callbackUrl),
      quietQuery: (n) => sendQuery(quiet, n, callbackUrl),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The sim-a numbers the MO traffic goes to: in the inventory, held by the load account. */
const MO_NUMBERS = ["+37250000001", "+37250000002", "+37250000003"];

/**
 * Puts the numbers in the inventory (the inbound service's CLI), then the account takes each
 * and points its inbound URL at the receiver, through ingress as a customer would.
 */
async function holdNumbers(
  root: string,
  env: NodeJS.ProcessEnv,
  account: { hash: string; token: string },
  inboundUrl: string,
): Promise<string[]> {
  const added = spawnSync(
    process.execPath,
    [
      join(root, "services/inbound/src/cli.ts"),
      "numbers",
      "add",
      ...MO_NUMBERS,
      "carrier=sim-a",
      "simulator=true",
    ],
    { env, encoding: "utf8" },
  );
  if (added.status !== 0) throw new Error(`adding the MO numbers failed: ${added.stderr}`);
  const authorization = `Basic ${Buffer.from(`${account.hash}:${account.token}`).toString("base64")}`;
  const call = async (method: string, path: string, body: unknown, expected: number) => {
    const res = await fetch(`http://127.0.0.1:${INGRESS_API_PORT}${path}`, {
      method,
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.status !== expected)
      throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };
  for (const number of MO_NUMBERS) {
    await call("POST", "/v1/numbers", { number }, 201);
    await call("PATCH", `/v1/numbers/${encodeURIComponent(number)}`, { inboundUrl }, 200);
  }
  return MO_NUMBERS;
}

function sendQuery(account: { hash: string; token: string }, n: number, callbackUrl: string) {
  return new URLSearchParams({
    hash: account.hash,
    token: account.token,
    toNumber: `+3725${String(6_000_000 + (n % 3_000_000)).padStart(7, "0")}`,
    fromNumber: "Load",
    text: `Load message ${n}`,
    callbackUrl,
  }).toString();
}

async function resetState(
  prefix: string,
  database: string,
  natsUrl: string,
  login: { NATS_USER?: string; NATS_PASSWORD?: string },
) {
  const admin = postgres("postgres://postgres@127.0.0.1:5432/postgres", {
    max: 1,
    onnotice: () => undefined,
  });
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.unsafe(`create database ${database}`);
  await admin.end();
  const nc = await connect({
    servers: natsUrl.split(","),
    ...(login.NATS_USER ? { user: login.NATS_USER, pass: login.NATS_PASSWORD } : {}),
  });
  const jsm = await jetstreamManager(nc);
  // The event stream and every KV bucket of the prefix (accounts, routing, health, leases …).
  const names: string[] = [];
  for await (const name of jsm.streams.names()) {
    if (name === `${prefix.toUpperCase()}_EVENTS` || name.startsWith(`KV_${prefix}_`))
      names.push(name);
  }
  for (const name of names) await jsm.streams.delete(name).catch(() => false);
  await nc.close();
}

async function vacuumAnalyze(databaseUrl: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe("vacuum analyze");
  } finally {
    await sql.end();
  }
}
