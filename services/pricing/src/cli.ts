import { subjects, toDecimal } from "@smsgw/contracts";
import {
  ConfigError,
  connectNats,
  errorMessage,
  type Logger,
  type Nats,
  openServiceDatabase,
} from "@smsgw/service-kit";
import { pino } from "pino";
import {
  AccountError,
  type AccountOperations,
  type AccountSummary,
  type Credentials,
  createAccountOperations,
} from "./accounts.ts";
import { openAccountsKv } from "./accounts-kv.ts";
import { type Command, parseCommand, USAGE, UsageError } from "./cli-args.ts";
import { loadPricingConfig } from "./config.ts";
import { migrations, PRICING_SCHEMA } from "./db/migrations.ts";
import type { PricingDatabase } from "./db/schema.ts";

/**
 * The operator's CLI for accounts: `node services/pricing/src/cli.ts accounts …`.
 * It works on the same database and bucket as the service (same environment), runs
 * the migrations first, and prints readable text or `--json`. Exit codes: 0 done,
 * 1 refused or failed, 2 wrong usage. Never a stack trace.
 */

const PROGRAM = "gw-pricing";
const DEMO = { name: "demo", credits: "10", currency: "EUR", test: true } as const;

interface Output {
  text: string;
  json: unknown;
}

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
    const kv = await openAccountsKv(nats, subjects(config.NATS_PREFIX).accountsBucket);
    const accounts = createAccountOperations({ db: database.db, kv, log });

    const output = await run(command, accounts);
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

async function run(command: Exclude<Command, { kind: "help" }>, accounts: AccountOperations) {
  const actor = `cli:${process.env.USER ?? process.env.LOGNAME ?? "unknown"}`;
  switch (command.kind) {
    case "create": {
      const credentials = await accounts.createAccount({
        name: command.name,
        credits: command.credits,
        currency: command.currency,
        test: command.test,
        actor,
      });
      const summary = await mustGet(accounts, credentials.accountId);
      return created("Created", credentials, summary);
    }
    case "top-up": {
      const summary = await accounts.topUp(command.name, command.credits, actor, command.note);
      return {
        text: `Topped up ${summary.name} (${summary.accountId}): balance ${money(summary)}.`,
        json: summaryJson(summary),
      };
    }
    case "rotate-token": {
      const credentials = await accounts.rotateToken(command.name);
      const summary = await mustGet(accounts, credentials.accountId);
      return created("Rotated the token of", credentials, summary);
    }
    case "disable": {
      const summary = await accounts.disable(command.name);
      return {
        text: `Disabled ${summary.name} (${summary.accountId}): its requests are refused.`,
        json: summaryJson(summary),
      };
    }
    case "list": {
      const all = await accounts.list();
      const lines = all.map((a) =>
        [a.name, a.accountId, a.status, a.test ? "test" : "live", money(a)].join("\t"),
      );
      return {
        text:
          all.length === 0
            ? "No accounts."
            : ["name\tid\tstatus\tmode\tbalance", ...lines].join("\n"),
        json: all.map(summaryJson),
      };
    }
    case "demo": {
      const result = await accounts.createOrRotate({ ...DEMO, actor, note: "demo account" });
      const summary = await mustGet(accounts, result.credentials.accountId);
      const output = created(
        result.created ? "Created" : "Rotated the token of",
        result.credentials,
        summary,
      );
      return { text: output.text, json: { created: result.created, ...(output.json as object) } };
    }
    default: {
      const unreachable: never = command;
      throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
    }
  }
}

function created(verb: string, credentials: Credentials, summary: AccountSummary): Output {
  return {
    text: [
      `${verb} account ${summary.name} (${summary.accountId}): ${summary.test ? "test" : "live"}, ${summary.status}, balance ${money(summary)}.`,
      `  hash            ${credentials.hash}`,
      `  token           ${credentials.token}`,
      `  webhook secret  ${credentials.webhookSecret}`,
      "The token is shown only now: store it safely.",
    ].join("\n"),
    json: { ...credentials, ...summaryJson(summary) },
  };
}

function summaryJson(summary: AccountSummary) {
  return {
    accountId: summary.accountId,
    name: summary.name,
    hash: summary.hash,
    status: summary.status,
    currency: summary.currency,
    test: summary.test,
    balance: toDecimal(summary.balance),
  };
}

async function mustGet(accounts: AccountOperations, id: string): Promise<AccountSummary> {
  const summary = await accounts.get(id);
  if (!summary) throw new Error(`account ${id} vanished`);
  return summary;
}

/** Money units as a fixed four-place decimal with the currency: "10.0000 EUR". */
function money({ balance, currency }: { balance: number; currency: string }): string {
  const whole = Math.trunc(balance / 10_000);
  const fraction = String(Math.abs(balance % 10_000)).padStart(4, "0");
  return `${whole}.${fraction} ${currency}`;
}

/** An error and its causes in one line: what went wrong, not where in the code. */
function describe(error: unknown): string {
  if (error instanceof AccountError) return error.message;
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
