import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import postgres from "postgres";
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
  env: NodeJS.ProcessEnv;
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
  stop(): Promise<void>;
}

export async function startLoadStack(options: {
  root: string;
  prefix: string;
  database: string;
  receiptDelayMs: number;
  say: (line: string) => void;
  extraEnv?: Record<string, string>;
  receiverPort?: number;
  /** Another NATS than the machine's (the cluster drill's three nodes). */
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
  await ensureInfrastructure(say);
  for (const { name, port } of STACK_PORTS) {
    if (await portOpen(port))
      throw new Error(`port ${port} (${name}) is taken: stop the local stack first`);
  }
  const natsUrl = options.natsUrl ?? "nats://127.0.0.1:4222";
  await resetState(prefix, database, natsUrl);
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
  const group = processGroup(
    root,
    env,
    (name, line) => {
      if (/"level":"(error|fatal)"/.test(line)) say(`${name}: ${line.slice(0, 300)}`);
    },
    (name, code, signal) => say(`${name} exited (${signal ?? code})`),
  );
  const stop = async () => {
    await group.stopAll();
    receiver.postMessage({ kind: "close" });
    await receiver.terminate();
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
        { env, encoding: "utf8" },
      );
      if (created.status !== 0)
        throw new Error(`creating the ${name} account failed: ${created.stderr}`);
      return JSON.parse(created.stdout) as { hash: string; token: string };
    };
    const account = createAccount("load");
    const quiet = createAccount("quiet");
    const callbackUrl = `http://127.0.0.1:${receiverPort}/dlr`;
    const ownedNumbers = options.inbound
      ? await holdNumbers(root, env, account, `http://127.0.0.1:${receiverPort}/mo`)
      : [];
    return {
      ownedNumbers,
      env,
      group,
      receiver,
      receiverPort,
      ask,
      maintain: () => vacuumAnalyze(env.DATABASE_URL ?? ""),
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

async function resetState(prefix: string, database: string, natsUrl: string) {
  const admin = postgres("postgres://postgres@127.0.0.1:5432/postgres", {
    max: 1,
    onnotice: () => undefined,
  });
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.unsafe(`create database ${database}`);
  await admin.end();
  const nc = await connect({ servers: natsUrl.split(",") });
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
