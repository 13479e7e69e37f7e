import type { Logger } from "pino";
import { ConfigError } from "./config.ts";
import { MigrationsApplied } from "./db/migrate.ts";
import { errorMessage } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { startTracing } from "./telemetry/tracing.ts";

export interface RunningService {
  ready(): boolean;
  /** Stop taking work, finish what is in flight, drain NATS, close the pool. */
  stop(): Promise<void>;
}

export interface MainOptions<C> {
  name: string;
  loadConfig(env: Record<string, string | undefined>): C;
  logLevel(config: C): string;
  start(config: C, log: Logger): Promise<RunningService>;
  /** How long a graceful stop may take before the process exits anyway. */
  stopTimeoutMs?: number;
}

/**
 * A service's main: parse config (fail fast with a clear message), start, and stop
 * gracefully on SIGTERM/SIGINT. Exit code 0 after a clean stop, 1 otherwise.
 */
export async function runMain<C>(options: MainOptions<C>): Promise<void> {
  let config: C;
  try {
    config = options.loadConfig(process.env);
  } catch (error) {
    const text = error instanceof ConfigError ? error.message : errorMessage(error);
    process.stderr.write(`${options.name}: ${text}\n`);
    process.exit(1);
  }
  const log = createLogger(options.name, options.logLevel(config));
  const tracing = startTracing(options.name);
  if (tracing) log.info("tracing on: spans exported over OTLP");
  let service: RunningService;
  try {
    service = await options.start(config, log);
  } catch (error) {
    if (error instanceof MigrationsApplied) {
      // MIGRATE=only (the init container): the schema is current, the job is done.
      log.info({ schema: error.schema }, "migrations applied; exiting (MIGRATE=only)");
      await tracing?.shutdown();
      process.exit(0);
    }
    log.fatal({ err: error }, "start-up failed");
    process.exit(1);
  }
  log.info("started");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    const timer = setTimeout(() => {
      log.error("graceful stop timed out; exiting");
      process.exit(1);
    }, options.stopTimeoutMs ?? 25_000);
    try {
      await service.stop();
      await tracing?.shutdown();
      clearTimeout(timer);
      log.info("stopped");
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, "stop failed");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  watchParent(process.env.STOP_WITH_PARENT_PID, () => void stop("parent exited"));
  process.on("unhandledRejection", (reason) => {
    log.error({ err: reason }, "unhandled rejection");
  });
}

/**
 * A supervisor (the local stack) can die without signalling its children, e.g. when a
 * package manager in between swallows the signal. With STOP_WITH_PARENT_PID set, the
 * service stops gracefully once that process is gone instead of living on orphaned.
 */
function watchParent(pidText: string | undefined, onGone: () => void): void {
  const pid = Number(pidText);
  if (!pidText || !Number.isInteger(pid) || pid <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      clearInterval(timer);
      onGone();
    }
  }, 1_000);
  timer.unref();
}
