import { createLogger } from "@smsgw/service-kit";
import {
  createTestInfra,
  type ServiceProcess,
  startServiceProcess,
  type TestInfra,
} from "@smsgw/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConsoleConfig } from "./config.ts";
import { type StartedConsole, startConsole } from "./service.ts";
import { Visitor } from "./testing/browser-less.ts";

/**
 * The log-in and sign-up throttles under parallel bursts, over real HTTP: each test gets a
 * console of its own (the counters live in its memory), all on one pricing and database.
 */
const log = createLogger("console-throttle-test", process.env.TEST_LOG_LEVEL ?? "silent");
let infra: TestInfra;
let pricing: ServiceProcess;
let sql: postgres.Sql;
const consoles: StartedConsole[] = [];

beforeAll(async () => {
  infra = await createTestInfra({ HTTP_PORT: "0", HEALTH_PORT: "0" });
  pricing = await startServiceProcess("pricing", infra.env);
  sql = postgres(infra.database.url, { max: 1, onnotice: () => undefined });
});

afterAll(async () => {
  await sql?.end();
  for (const started of consoles) await started.stop();
  await pricing?.stop();
  await infra?.cleanup();
});

/** A console of its own, with fresh counters; its base URL. */
async function freshConsole(env: Record<string, string> = {}): Promise<string> {
  const started = await startConsole(loadConsoleConfig({ ...infra.env, ...env }), log);
  consoles.push(started);
  return `http://127.0.0.1:${started.port}`;
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe("log-in and sign-up throttles under a parallel burst", () => {
  it("when 40 wrong passwords arrive at once from one client, exactly LOGIN_MAX_FAILURES are checked and the rest get 429 with Retry-After", async () => {
    const visitor = new Visitor(await freshConsole({ LOGIN_MAX_FAILURES: "5" }));
    await visitor.get("/login");
    // A new email each time: only the per-client key can stop them.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        visitor.post("/login", { email: `guess${i}@example.com`, password: "wrong password" }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(count(statuses, 401)).toBe(5);
    expect(count(statuses, 429)).toBe(35);
    const refused = answers.find((a) => a.status === 429);
    expect(Number(refused?.res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("when 30 sign-ups arrive at once from one client, exactly SIGNUPS_PER_IP_HOUR accounts are created", async () => {
    const visitor = new Visitor(await freshConsole({ SIGNUPS_PER_IP_HOUR: "10" }));
    await visitor.get("/signup");
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        visitor.post("/signup", {
          email: `burst${i}@example.com`,
          password: "correct horse battery",
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(count(statuses, 201)).toBe(10);
    expect(count(statuses, 429)).toBe(20);
    const [users] = await sql<Array<{ n: number }>>`
      select count(*)::int as n from console.users where email like 'burst%'`;
    expect(users?.n).toBe(10);
  });
});
