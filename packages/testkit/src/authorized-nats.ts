import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  NATS_OPERATOR_USER,
  NATS_USERS,
  natsAuthorizationConfig,
  natsPasswordVariable,
} from "@smsgw/contracts";
import { startNatsServer } from "./nats-server.ts";
import { freePort } from "./service-process.ts";

/**
 * A nats-server of the test's own with the deployments' permission file rendered for the
 * test's subject prefix (ADR 0015): each service logs in as its own user, so a subject a
 * change forgot to grant shows as a violation in the server's log, which the test can require
 * to stay empty. About 0.1 s and one small process per test file; the stream and buckets go
 * with the server's directory at `stop`.
 */
export interface AuthorizedNats {
  url: string;
  /** NATS_USER and NATS_PASSWORD of a service's user; the operator's for anything else (the test's own clients). */
  envOf(user: string): Record<string, string>;
  /** The server's permission violations so far, one `<kind> Violation - User "<u>", Subject "<s>"` each. */
  violations(): string[];
  stop(): Promise<void>;
}

const SERVICE_USERS: ReadonlySet<string> = new Set(NATS_USERS);

export async function startAuthorizedNats(prefix: string): Promise<AuthorizedNats> {
  const passwords = new Map(
    [...NATS_USERS, NATS_OPERATOR_USER].map((user) => [
      user,
      `n${randomBytes(12).toString("hex")}`,
    ]),
  );
  const port = await freePort();
  const dir = join("/tmp", `smsgw-nats-${prefix}-${port}`);
  rmSync(dir, { recursive: true, force: true });
  const server = await startNatsServer({
    port,
    dir,
    config: "include auth.conf\n",
    files: { "auth.conf": natsAuthorizationConfig(prefix) },
    env: Object.fromEntries(
      [...passwords].map(([user, password]) => [natsPasswordVariable(user), password]),
    ),
  });
  return {
    url: server.url,
    envOf(user) {
      const login = SERVICE_USERS.has(user) ? user : NATS_OPERATOR_USER;
      return { NATS_URL: server.url, NATS_USER: login, NATS_PASSWORD: passwords.get(login) ?? "" };
    },
    violations: () =>
      server
        .log()
        .split("\n")
        .filter((line) => /Violation/.test(line))
        .map((line) => line.replace(/^.*? - (\w+ Violation)/, "$1")),
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
