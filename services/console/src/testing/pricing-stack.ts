import { createLogger } from "@smsgw/service-kit";
import {
  createTestInfra,
  type ServiceProcess,
  startServiceProcess,
  type TestInfra,
} from "@smsgw/testkit";
import postgres from "postgres";
import { loadConsoleConfig } from "../config.ts";
import { type StartedConsole, startConsole } from "../service.ts";

/**
 * Real Postgres and NATS (a database and a prefix of the test file's own), pricing as its
 * own process, and as many consoles as a test wants, each with its own configuration and
 * its own in-memory throttles.
 */
export interface PricingStack {
  infra: TestInfra;
  sql: postgres.Sql;
  /** A console with these variables on top of the stack's; its base URL. */
  console(env?: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

export async function startPricingStack(): Promise<PricingStack> {
  const log = createLogger("console-test", process.env.TEST_LOG_LEVEL ?? "silent");
  // Each service as its own NATS user under the permission file (env: the console's).
  const infra = await createTestInfra(
    { HTTP_PORT: "0", HEALTH_PORT: "0" },
    { natsUser: "console" },
  );
  let pricing: ServiceProcess | undefined;
  const consoles: StartedConsole[] = [];
  const sql = postgres(infra.database.url, { max: 1, onnotice: () => undefined });
  const stop = async () => {
    await sql.end();
    for (const started of consoles) await started.stop();
    await pricing?.stop();
    await infra.cleanup();
  };
  try {
    pricing = await startServiceProcess("pricing", infra.envOf("pricing"));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    infra,
    sql,
    async console(env = {}) {
      const started = await startConsole(loadConsoleConfig({ ...infra.env, ...env }), log);
      consoles.push(started);
      return `http://127.0.0.1:${started.port}`;
    },
    stop,
  };
}
