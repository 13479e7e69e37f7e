import { parseArgs } from "node:util";

/** The CLI's commands, as parsed from argv: no I/O here, so it is tested alone. */
export type Command =
  | { kind: "help" }
  | {
      kind: "create";
      name: string;
      credits: string;
      currency: string;
      test: boolean;
      json: boolean;
    }
  | { kind: "top-up"; name: string; credits: string; note: string; json: boolean }
  | { kind: "rotate-token"; name: string; json: boolean }
  | { kind: "disable"; name: string; json: boolean }
  | { kind: "list"; json: boolean }
  | { kind: "demo"; json: boolean };

export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `usage: node services/pricing/src/cli.ts accounts <command> [options]

commands:
  create --name <name> --credits <amount> [--currency EUR] [--live] [--json]
      Creates an account and prints its credentials; the token is shown only now.
      Accounts are test accounts unless --live is given.
  top-up --name <name|acc_id> --credits <amount> [--note <text>] [--json]
      Adds credit (a ledger top-up entry).
  rotate-token --name <name|acc_id> [--json]
      Issues a new token; the old one stops working.
  disable --name <name|acc_id> [--json]
      Disables the account: its requests are refused.
  list [--json]
      Lists the accounts and their balances.
  demo [--json]
      For the local stack: creates account "demo" with 10 EUR of test credits, or
      rotates its token if it exists, and prints hash, token and webhook secret.

<amount> is a decimal of the currency's main unit, at most 4 places: 10, 0.5, 0.0420.
Configuration comes from DATABASE_URL, NATS_URL and NATS_PREFIX, as for the service.`;

const OPTIONS = {
  name: { type: "string" },
  credits: { type: "string" },
  currency: { type: "string" },
  note: { type: "string" },
  live: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const ALLOWED: Record<string, ReadonlyArray<keyof typeof OPTIONS>> = {
  create: ["name", "credits", "currency", "live", "json"],
  "top-up": ["name", "credits", "note", "json"],
  "rotate-token": ["name", "json"],
  disable: ["name", "json"],
  list: ["json"],
  demo: ["json"],
};

export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { kind: "help" };
  const [group, verb, ...extra] = positionals;
  if (group !== "accounts") throw new UsageError(`unknown command "${group}"`);
  if (verb === undefined) throw new UsageError("accounts: which command?");
  const allowed = ALLOWED[verb];
  if (!allowed) throw new UsageError(`unknown command "accounts ${verb}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  for (const option of Object.keys(values)) {
    if (option !== "help" && !allowed.includes(option as keyof typeof OPTIONS)) {
      throw new UsageError(`accounts ${verb} does not take --${option}`);
    }
  }
  const json = values.json ?? false;
  const need = (option: "name" | "credits"): string => {
    const value = values[option]?.trim();
    if (!value) throw new UsageError(`accounts ${verb} needs --${option}`);
    return value;
  };

  switch (verb) {
    case "create":
      return {
        kind: "create",
        name: need("name"),
        credits: need("credits"),
        currency: values.currency ?? "EUR",
        test: !values.live,
        json,
      };
    case "top-up":
      return {
        kind: "top-up",
        name: need("name"),
        credits: need("credits"),
        note: values.note ?? "",
        json,
      };
    case "rotate-token":
      return { kind: "rotate-token", name: need("name"), json };
    case "disable":
      return { kind: "disable", name: need("name"), json };
    case "list":
      return { kind: "list", json };
    case "demo":
      return { kind: "demo", json };
    default:
      throw new UsageError(`unknown command "accounts ${verb}"`);
  }
}
