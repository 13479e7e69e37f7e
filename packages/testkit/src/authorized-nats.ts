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
  /** The server's permission violations so far (restarts included), one `<kind> Violation - User "<u>", Subject "<s>"` each. */
  violations(): string[];
  /** The server process's id (a new one after `restart`), for counting its CPU. */
  pid(): number | undefined;
  /**
   * A restart in two halves (a drill's fault): `shutdown` stops the server (SIGTERM) and
   * keeps its store, `start` starts it again on the same port, store and passwords, so
   * JetStream's state survives as in a real restart.
   */
  shutdown(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server for good and removes its directory. */
  stop(): Promise<void>;
}

const SERVICE_USERS: ReadonlySet<string> = new Set(NATS_USERS);

export interface AuthorizedNatsOptions {
  /**
   * A connection without credentials logs in as the operator (nats-server's `no_auth_user`):
   * for the integration tests, whose stand-ins and checks connect with a bare URL while the
   * service under test logs in as its own user. Off by default (the e2e tests' servers refuse
   * such a connection, as the deployments' do).
   */
  anonymousOperator?: boolean;
  /** The client port (default: a free one). */
  port?: number;
  /** The store and the log (default: a directory of its own under /tmp); removed at `stop`. */
  dir?: string;
}

export async function startAuthorizedNats(
  prefix: string,
  options: AuthorizedNatsOptions = {},
): Promise<AuthorizedNats> {
  const passwords = new Map(
    [...NATS_USERS, NATS_OPERATOR_USER].map((user) => [
      user,
      `n${randomBytes(12).toString("hex")}`,
    ]),
  );
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? join("/tmp", `smsgw-nats-${prefix}-${port}`);
  rmSync(dir, { recursive: true, force: true });
  const start = () =>
    startNatsServer({
      port,
      dir,
      config: `include auth.conf\n${options.anonymousOperator ? `no_auth_user: ${NATS_OPERATOR_USER}\n` : ""}`,
      files: { "auth.conf": natsAuthorizationConfig(prefix) },
      env: Object.fromEntries(
        [...passwords].map(([user, password]) => [natsPasswordVariable(user), password]),
      ),
    });
  let server = await start();
  let running = true;
  // A start writes a new log: what was logged before is kept here.
  const earlier: string[] = [];
  const logged = () =>
    running
      ? server
          .log()
          .split("\n")
          .filter((line) => /Violation/.test(line))
          .map((line) => line.replace(/^.*? - (\w+ Violation)/, "$1"))
      : [];
  const shutdown = async () => {
    if (!running) return;
    await server.stop();
    earlier.push(...logged());
    running = false;
  };
  return {
    url: server.url,
    envOf(user) {
      const login = SERVICE_USERS.has(user) ? user : NATS_OPERATOR_USER;
      return { NATS_URL: server.url, NATS_USER: login, NATS_PASSWORD: passwords.get(login) ?? "" };
    },
    violations: () => [...earlier, ...logged()],
    pid: () => (running ? server.pid : undefined),
    shutdown,
    async start() {
      if (running) return;
      server = await start();
      running = true;
    },
    async stop() {
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
