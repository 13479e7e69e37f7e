import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { connect } from "node:net";
import postgres from "postgres";

export function portOpen(port: number, host = "127.0.0.1", timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function waitPort(port: number, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 4; i++) {
    if (await portOpen(port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * Reuses the machine's NATS and PostgreSQL; starts them the machine's way when they are down.
 * `machineNats: false`: PostgreSQL only (the caller runs a nats-server of its own).
 */
export async function ensureInfrastructure(
  say: (line: string) => void,
  options: { machineNats?: boolean } = {},
): Promise<void> {
  if (!(await portOpen(5432))) {
    const versions = existsSync("/etc/postgresql") ? readdirSync("/etc/postgresql") : [];
    if (versions[0]) {
      say("PostgreSQL is down: starting it");
      spawnSync("pg_ctlcluster", ["--skip-systemctl-redirect", versions[0], "main", "start"], {
        stdio: "inherit",
      });
    }
    if (!(await waitPort(5432, 30)))
      throw new Error("PostgreSQL is not reachable on 127.0.0.1:5432");
  }
  if (options.machineNats !== false && !(await portOpen(4222))) {
    if (existsSync("/usr/sbin/nats-server")) {
      say("NATS is down: starting nats-server with JetStream");
      spawnSync(
        "start-stop-daemon",
        [
          "--start",
          "--oknodo",
          "--background",
          "--exec",
          "/usr/sbin/nats-server",
          "--",
          "-a",
          "127.0.0.1",
          "-p",
          "4222",
          "-js",
          "-sd",
          "/var/lib/nats-server",
          "-l",
          "/var/log/nats-server.log",
        ],
        { stdio: "inherit" },
      );
    }
    if (!(await waitPort(4222, 30))) throw new Error("NATS is not reachable on 127.0.0.1:4222");
  }
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) await sql.unsafe(`create database ${name}`);
  } finally {
    await sql.end();
  }
}
