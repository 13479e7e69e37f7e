import { pino } from "pino";
import { ConfigError } from "./config.ts";
import { errorMessage } from "./errors.ts";
import type { Logger } from "./logger.ts";

/** A command line the operator got wrong: exit 2 with its message. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** What a command prints: text, or with `--json` its JSON; and its exit code (default 0). */
export interface CliOutput {
  text: string;
  json: unknown;
  exitCode?: number;
}

export interface OperatorCli<Command extends { kind: string }, Config> {
  /** The name errors are prefixed with (`gw-pricing: …`). */
  program: string;
  usage: string;
  /** Throws UsageError for a wrong command line. */
  parse(argv: readonly string[]): Command | { kind: "help" };
  loadConfig(env: NodeJS.ProcessEnv): Config;
  /**
   * Opens what the command needs (register each closer with `onClose`; they run in reverse,
   * also after a failure) and runs it.
   */
  execute(
    command: Exclude<Command, { kind: "help" }>,
    config: Config,
    context: { log: Logger; onClose(close: () => Promise<unknown>): void },
  ): Promise<CliOutput>;
  /** One line for an error (default: its message). */
  describe?(error: unknown): string;
}

/**
 * The operators' CLIs (`bin/gw accounts|prices|routes|senders|carriers …`) share their shape:
 * parse (usage errors exit 2), `--help`, load the service's config (exit 1 on a bad one), a
 * logger that only warns on stderr (stdout carries the answer, and --json must parse), run,
 * print text or `--json`, close what was opened. Never a stack trace.
 */
export async function runOperatorCli<Command extends { kind: string; json?: boolean }, Config>(
  cli: OperatorCli<Command, Config>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const describe = cli.describe ?? errorMessage;
  const fail = (message: string, code: number) => {
    process.stderr.write(`${cli.program}: ${message}\n`);
    return code;
  };
  let command: Command | { kind: "help" };
  try {
    command = cli.parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return fail(`${error.message}\n(--help lists the commands)`, 2);
  }
  if (command.kind === "help") {
    process.stdout.write(`${cli.usage}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = cli.loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(error.message, 1);
  }
  const log: Logger = pino(
    { level: "warn", base: undefined, timestamp: false },
    pino.destination({ dest: 2, sync: true }),
  );
  const closers: Array<() => Promise<unknown>> = [];
  try {
    const runnable = command as Exclude<Command, { kind: "help" }>;
    const output = await cli.execute(runnable, config, {
      log,
      onClose: (close) => closers.push(close),
    });
    process.stdout.write(
      runnable.json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`,
    );
    return output.exitCode ?? 0;
  } catch (error) {
    return fail(describe(error), 1);
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}
