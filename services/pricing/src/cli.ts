import { subjects } from "@smsgw/contracts";
import {
  ConfigError,
  connectNats,
  errorMessage,
  type Logger,
  type Nats,
  openServiceDatabase,
  setBucketReplicas,
} from "@smsgw/service-kit";
import { pino } from "pino";
import { AccountError, createAccountOperations } from "./accounts.ts";
import { openAccountsKv } from "./accounts-kv.ts";
import { type Command, parseCommand, USAGE, UsageError } from "./cli-args.ts";
import { run } from "./cli-run.ts";
import { loadPricingConfig } from "./config.ts";
import { migrations, PRICING_SCHEMA } from "./db/migrations.ts";
import type { PricingDatabase } from "./db/schema.ts";
import { PriceCsvError } from "./domain/price-csv.ts";
import { createPriceOperations } from "./prices-admin.ts";

/**
 * The operator's CLI for accounts and prices: `node services/pricing/src/cli.ts accounts …`
 * (or `bin/gw accounts|prices …`), over the same operations as the admin API.
 * It works on the same database and bucket as the service (same environment), runs
 * the migrations first, and prints readable text or `--json`. Exit codes: 0 done,
 * 1 refused or failed, 2 wrong usage. Never a stack trace.
 */

const PROGRAM = "gw-pricing";

async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${PROGRAM}: ${error.message}\n(--help lists the commands)\n`);
    return 2;
  }
  if (command.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let config: ReturnType<typeof loadPricingConfig>;
  try {
    config = loadPricingConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${PROGRAM}: ${error.message}\n`);
    return 1;
  }
  // Warnings only, to stderr: stdout carries the answer (and --json must stay parseable).
  const log: Logger = pino(
    { level: "warn", base: undefined, timestamp: false },
    pino.destination({ dest: 2, sync: true }),
  );

  const closers: Array<() => Promise<void>> = [];
  try {
    const database = await openServiceDatabase<PricingDatabase>(
      config,
      PRICING_SCHEMA,
      migrations,
      { max: 2 },
    ).catch((error: unknown) => {
      throw new Error(`cannot open the pricing database (DATABASE_URL): ${describe(error)}`);
    });
    closers.push(() => database.close());
    const nats: Nats = await connectNats(config.NATS_URL, "pricing-cli", log).catch(
      (error: unknown) => {
        throw new Error(`cannot connect to NATS at ${config.NATS_URL}: ${describe(error)}`);
      },
    );
    closers.push(async () => {
      await nats.nc.close();
    });
    setBucketReplicas(config.STREAM_REPLICAS);
    const kv = await openAccountsKv(nats, subjects(config.NATS_PREFIX).accountsBucket);
    const accounts = createAccountOperations({
      db: database.db,
      kv,
      log,
      webhookSecretGraceMs: config.WEBHOOK_SECRET_GRACE_MS,
      allowPrivateCallbacks: config.WEBHOOK_ALLOW_PRIVATE,
    });

    const prices = createPriceOperations(database.db);
    const output = await run(command, accounts, prices);
    process.stdout.write(
      command.json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`${PROGRAM}: ${describe(error)}\n`);
    return 1;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

/** An error and its causes in one line: what went wrong, not where in the code. */
function describe(error: unknown): string {
  if (error instanceof AccountError) return error.message;
  if (error instanceof PriceCsvError) return error.message;
  const messages: string[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && messages.length < 5) {
    const message = errorMessage(current);
    if (message && !messages.includes(message)) messages.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(": ") || "unknown error";
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${PROGRAM}: ${describe(error)}\n`);
  return 1;
});
