import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  NATS_OPERATOR_USER,
  NATS_USERS,
  natsPasswordVariable,
} from "../../packages/contracts/src/nats-permissions.ts";
import { startNatsServer } from "../../packages/testkit/src/nats-server.ts";
import { portOpen } from "../lib/infra.ts";

/**
 * The local stack's NATS: a nats-server of its own on 127.0.0.1:4223 with the permission
 * file every deployment uses (deploy/nats/auth.conf, ADR 0015), each service logged in as
 * its own user, so a subject a change forgot to grant fails here first. New passwords each
 * start; the store (.dev-stack/nats) is kept, so routes and carrier health survive a restart.
 * With NATS_URL set, that server is used as it is, without users (the machine's, 4222, say).
 *
 * While the stack runs, `.dev-stack/nats.env` (mode 600, removed at stop) holds the address
 * and the passwords, so `bin/gw` logs in as the service that owns its area.
 */
export const DEV_NATS_PORT = 4223;

export interface DevNats {
  url: string;
  /** What a process logging in as `user` adds to its environment (nothing without users). */
  envOf(user: string): Record<string, string>;
  stop(): Promise<void>;
}

/** Each user's password, and what the server and each service read it from. */
export function devNatsCredentials(password: () => string = randomPassword) {
  const passwords = Object.fromEntries(
    [...NATS_USERS, NATS_OPERATOR_USER].map((user) => [user, password()]),
  );
  return {
    /** The server's environment: every user's password variable. */
    serverEnv: Object.fromEntries(
      Object.entries(passwords).map(([user, value]) => [natsPasswordVariable(user), value]),
    ),
    envOf(user: string): Record<string, string> {
      const value = passwords[user];
      if (value === undefined) throw new Error(`no NATS user "${user}" (nats-permissions.ts)`);
      return { NATS_USER: user, NATS_PASSWORD: value };
    },
  };
}

/** A letter first: nats-server reads the variable as a config value (docs/security.md). */
const randomPassword = () => `n${randomBytes(18).toString("hex")}`;

export async function startDevNats(root: string, say: (line: string) => void): Promise<DevNats> {
  const given = process.env.NATS_URL;
  if (given) {
    say(`NATS: ${given} as given (NATS_URL), without the per-service users`);
    return { url: given, envOf: () => ({}), stop: async () => undefined };
  }
  if (await portOpen(DEV_NATS_PORT)) {
    throw new Error(`port ${DEV_NATS_PORT} (the stack's NATS) is taken: is another stack running?`);
  }
  const credentials = devNatsCredentials();
  const dir = join(root, ".dev-stack", "nats");
  const server = await startNatsServer({
    port: DEV_NATS_PORT,
    dir,
    config: "include auth.conf\n",
    files: { "auth.conf": readFileSync(join(root, "deploy", "nats", "auth.conf"), "utf8") },
    env: credentials.serverEnv,
  });
  const envFile = join(root, ".dev-stack", "nats.env");
  const lines = [
    `NATS_URL=${server.url}`,
    ...Object.entries(credentials.serverEnv).map(([k, v]) => `${k}=${v}`),
  ];
  writeFileSync(envFile, `${lines.join("\n")}\n`, { mode: 0o600 });
  say(
    `NATS: nats-server on ${server.url}, a user per service (deploy/nats/auth.conf); log ${join(dir, "server.log")}`,
  );
  return {
    url: server.url,
    envOf: credentials.envOf,
    async stop() {
      rmSync(envFile, { force: true });
      await server.stop();
    },
  };
}
