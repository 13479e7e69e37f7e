import { subjects } from "@smsgw/contracts";
import {
  connectNats,
  errorMessage,
  openServiceDatabase,
  runOperatorCli,
  setBucketReplicas,
} from "@smsgw/service-kit";
import { AccountError, createAccountOperations } from "./accounts.ts";
import { openAccountsKv } from "./accounts-kv.ts";
import { parseCommand, USAGE } from "./cli-args.ts";
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

function main(argv: readonly string[]): Promise<number> {
  return runOperatorCli(
    {
      program: PROGRAM,
      usage: USAGE,
      parse: parseCommand,
      loadConfig: loadPricingConfig,
      describe,
      async execute(command, config, { log, onClose }) {
        const database = await openServiceDatabase<PricingDatabase>(
          config,
          PRICING_SCHEMA,
          migrations,
          { max: 2 },
        ).catch((error: unknown) => {
          throw new Error(`cannot open the pricing database (DATABASE_URL): ${describe(error)}`);
        });
        onClose(() => database.close());
        const nats = await connectNats(config, "pricing-cli", log).catch((error: unknown) => {
          throw new Error(`cannot connect to NATS at ${config.NATS_URL}: ${describe(error)}`);
        });
        onClose(() => nats.nc.close());
        setBucketReplicas(config.STREAM_REPLICAS);
        const names = subjects(config.NATS_PREFIX);
        const kv = await openAccountsKv(nats, {
          accounts: names.accountsBucket,
          webhookSecrets: names.webhookSecretsBucket,
        });
        const accounts = createAccountOperations({
          db: database.db,
          kv,
          log,
          webhookSecretGraceMs: config.WEBHOOK_SECRET_GRACE_MS,
          allowPrivateCallbacks: config.WEBHOOK_ALLOW_PRIVATE,
        });
        return run(command, accounts, createPriceOperations(database.db));
      },
    },
    argv,
  );
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
