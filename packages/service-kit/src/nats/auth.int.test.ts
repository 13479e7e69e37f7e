import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type NatsServerProcess, startNatsServer } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BaseEnv, loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { connectNats } from "./connect.ts";

/**
 * The kit against a nats-server with TLS and a user (as Kubernetes runs it, ADR 0015): a CA
 * and a server certificate made here with openssl, the password from a file.
 */
const log = createLogger("nats-auth-test", "silent");
const dir = mkdtempSync(join(tmpdir(), "smsgw-kit-tls-"));
const path = (name: string) => join(dir, name);
let server: NatsServerProcess;

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

beforeAll(async () => {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-subj",
    "/CN=test-ca",
    "-days",
    "1",
  );
  openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(path("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.crt",
    "-days",
    "1",
    "-extfile",
    "san.ext",
  );
  writeFileSync(path("password"), "nKitTestPassword1\n");
  server = await startNatsServer({
    port: await freePort(),
    dir: path("server"),
    config: `tls {
  cert_file: "${path("server.crt")}"
  key_file: "${path("server.key")}"
}
authorization {
  users: [
    { user: "svc", password: $SVC_PASSWORD, permissions: { publish: ["ok.>", "$JS.API.INFO"], subscribe: ["_INBOX.svc.>", "ok.>"], allow_responses: true } }
  ]
}
`,
    env: { SVC_PASSWORD: "nKitTestPassword1" },
  });
}, 30_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const settings = (env: Record<string, string>) =>
  loadConfig(BaseEnv, { NATS_URL: `tls://127.0.0.1:${server.port}`, ...env });

describe("connectNats with credentials and TLS", () => {
  it("when the CA file, the user and the password file are set, it connects over TLS and its requests' replies reach it", async () => {
    const nats = await connectNats(
      settings({
        NATS_USER: "svc",
        NATS_PASSWORD_FILE: path("password"),
        NATS_TLS_CA_FILE: path("ca.crt"),
      }),
      "kit-tls-test",
      log,
    );
    try {
      const echo = nats.nc.subscribe("ok.echo", {
        callback: (_error, msg) => {
          msg.respond(msg.data);
        },
      });
      // The reply comes to _INBOX.svc.…, the only inbox the user may subscribe to.
      const reply = await nats.nc.request("ok.echo", "ping", { timeout: 2_000 });
      expect(reply.string()).toBe("ping");
      echo.unsubscribe();
    } finally {
      await nats.nc.close();
    }
  });

  it("when the server's certificate is not signed by a trusted CA, it does not connect", async () => {
    const wrongCa = path("other-ca.crt");
    openssl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "other-ca.key",
      "-out",
      "other-ca.crt",
      "-subj",
      "/CN=other-ca",
      "-days",
      "1",
    );
    await expect(
      connectNats(
        settings({
          NATS_USER: "svc",
          NATS_PASSWORD: "nKitTestPassword1",
          NATS_TLS_CA_FILE: wrongCa,
        }),
        "kit-tls-test",
        log,
      ).then((nats) => nats.nc.close()),
    ).rejects.toThrow(/certificate/i);
  });

  it("when the password is wrong, the server refuses the connection", async () => {
    await expect(
      connectNats(
        settings({ NATS_USER: "svc", NATS_PASSWORD: "nWrong", NATS_TLS_CA_FILE: path("ca.crt") }),
        "kit-tls-test",
        log,
      ).then((nats) => nats.nc.close()),
    ).rejects.toThrow(/Authorization/i);
  });
});
