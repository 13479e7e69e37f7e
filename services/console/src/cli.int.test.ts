import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createLogger } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, Visitor } from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConsoleConfig } from "./config.ts";
import { type StartedConsole, startConsole } from "./service.ts";

/**
 * `cli.ts demo-user` run as the local stack runs it (its own process, configured by the
 * environment), then the login it made, used over HTTP. The stack's generated passwords
 * are random base64url: one in 64 begins with "-".
 */
const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
const log = createLogger("console-cli-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let consoleService: StartedConsole;
let base: string;

beforeAll(async () => {
  infra = await createTestInfra({ HTTP_PORT: "0", HEALTH_PORT: "0" }, { natsUser: "console" });
  consoleService = await startConsole(loadConsoleConfig(infra.env), log);
  base = `http://127.0.0.1:${consoleService.port}`;
});

afterAll(async () => {
  await consoleService?.stop();
  await infra?.cleanup();
});

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...infra.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

async function logIn(email: string, password: string) {
  const visitor = new Visitor(base);
  await visitor.get("/login");
  const answer = await visitor.post("/login", { email, password });
  return { status: answer.status, location: answer.res.headers.get("location") };
}

describe("cli.ts demo-user", () => {
  it("when the password begins with '-' and comes in CONSOLE_PASSWORD, the login works", async () => {
    const password = "-Kx8_q2Zr4Lm";
    const made = await cli(["demo-user", "--account-id=acc_cli_env", "--email=env@example.com"], {
      CONSOLE_PASSWORD: password,
    });
    expect(made).toEqual({ code: 0, stderr: "" });
    expect(await logIn("env@example.com", password)).toEqual({
      status: 303,
      location: "/dashboard",
    });
  });

  it("when the password begins with '-' and is given as --password=…, the login works", async () => {
    const password = "--dashes-first";
    const made = await cli([
      "demo-user",
      "--account-id=acc_cli_arg",
      "--email=arg@example.com",
      `--password=${password}`,
    ]);
    expect(made).toEqual({ code: 0, stderr: "" });
    expect(await logIn("arg@example.com", password)).toEqual({
      status: 303,
      location: "/dashboard",
    });
  });

  it("when such a password is given as a separate argument, it stops with a usage error that says to use '='", async () => {
    const made = await cli([
      "demo-user",
      "--account-id=acc_cli_bad",
      "--email=bad@example.com",
      "--password",
      "-Kx8_q2Zr4Lm",
    ]);
    expect(made.code).toBe(2);
    expect(made.stderr).toContain("--password=-");
    expect(made.stderr).toContain("CONSOLE_PASSWORD");
  });
});

describe("cli.ts disable-totp", () => {
  it("when a member lost their authenticator, the operator turns two-factor off: the password logs in again, one audit entry as cli:<operator>", async () => {
    const made = await cli(["demo-user", "--account-id=acc_cli_totp", "--email=lost@example.com"], {
      CONSOLE_PASSWORD: "correct horse battery",
    });
    expect(made.code).toBe(0);
    const sql = postgres(infra.database.url, { max: 1, onnotice: () => undefined });
    try {
      // As after an enrolment (the CLI never opens the secret, so any sealed value will do).
      await sql`update console.users set totp_secret = 'sealed:v1:00000000:a:b:c'
        where email = 'lost@example.com'`;
      expect((await logIn("lost@example.com", "correct horse battery")).location).toBe(
        "/login/totp",
      );
      const off = await cli(["disable-totp", "--email=lost@example.com", "--operator=alice"]);
      expect(off).toEqual({ code: 0, stderr: "" });
      expect((await logIn("lost@example.com", "correct horse battery")).location).toBe(
        "/dashboard",
      );
      const entries = await sql<Array<{ request: Record<string, unknown> }>>`
        select request from console.audit_outbox where request->>'action' = 'totp.disabled'`;
      expect(entries.map((e) => [e.request.accountId, e.request.by])).toEqual([
        ["acc_cli_totp", { actor: "cli:alice", ip: null }],
      ]);
      const again = await cli(["disable-totp", "--email=lost@example.com", "--operator=alice"]);
      expect(again.code).toBe(1);
    } finally {
      await sql.end();
    }
  });
});
