import { parseArgs } from "node:util";
import { UsageError } from "@smsgw/service-kit";

/**
 * The CLI's commands, as parsed from argv: no I/O here, so it is tested alone. Each
 * command is `<area> <verb>` with the options its spec allows; missing required options,
 * unknown verbs or options, and stray arguments are usage errors (exit 2).
 */
export type Command =
  | { kind: "help" }
  | {
      kind: CommandName;
      options: Partial<Record<OptionName, string>>;
      flags: Partial<Record<FlagName, boolean>>;
      /** `prices load <file>`: the file. */
      file?: string;
      json: boolean;
    };

export { UsageError };

const OPTIONS = {
  name: { type: "string" },
  account: { type: "string" },
  credits: { type: "string" },
  amount: { type: "string" },
  currency: { type: "string" },
  note: { type: "string" },
  reference: { type: "string" },
  actor: { type: "string" },
  countries: { type: "string" },
  "account-rate": { type: "string" },
  "account-burst": { type: "string" },
  "ip-rate": { type: "string" },
  limit: { type: "string" },
  before: { type: "string" },
  prefix: { type: "string" },
  price: { type: "string" },
  url: { type: "string" },
  "system-id": { type: "string" },
  "smpp-binds": { type: "string" },
  "smpp-window": { type: "string" },
  reason: { type: "string" },
  threshold: { type: "string" },
  status: { type: "string" },
  live: { type: "boolean" },
  replace: { type: "boolean" },
  clear: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
type Key = keyof typeof OPTIONS;
export type FlagName = "live" | "replace" | "clear";
export type OptionName = Exclude<Key, FlagName | "json" | "help">;

interface Spec {
  allowed: readonly Key[];
  required?: readonly OptionName[];
  /** Takes one positional argument (a file). */
  file?: boolean;
}

const SPECS = {
  "accounts create": {
    allowed: ["name", "credits", "currency", "live"],
    required: ["name", "credits"],
  },
  "accounts top-up": {
    allowed: ["name", "credits", "note", "actor", "reference"],
    required: ["name", "credits"],
  },
  "accounts adjust": {
    allowed: ["name", "amount", "note", "actor", "reference"],
    required: ["name", "amount", "note"],
  },
  "accounts rotate-token": { allowed: ["name"], required: ["name"] },
  "accounts rotate-webhook-secret": { allowed: ["name"], required: ["name"] },
  "accounts smpp-credentials": { allowed: ["name", "system-id"], required: ["name"] },
  "accounts disable": { allowed: ["name"], required: ["name"] },
  "accounts enable": { allowed: ["name"], required: ["name"] },
  "accounts block": { allowed: ["name", "countries"], required: ["name", "countries"] },
  "accounts unblock": { allowed: ["name", "countries"], required: ["name", "countries"] },
  "accounts limits": {
    allowed: [
      "name",
      "account-rate",
      "account-burst",
      "ip-rate",
      "smpp-binds",
      "smpp-window",
      "clear",
    ],
    required: ["name"],
  },
  "accounts callback-url": { allowed: ["name", "url", "clear"], required: ["name"] },
  "accounts ledger": { allowed: ["name", "limit", "before"], required: ["name"] },
  "accounts show": { allowed: ["name"], required: ["name"] },
  "accounts audit": { allowed: ["name", "limit"], required: ["name"] },
  "accounts low-balance": { allowed: ["name", "threshold", "clear", "actor"], required: ["name"] },
  "accounts live-requests": { allowed: ["status", "limit"] },
  "accounts approve-live": { allowed: ["name", "actor"], required: ["name"] },
  "accounts decline-live": { allowed: ["name", "reason", "actor"], required: ["name", "reason"] },
  "accounts list": { allowed: [] },
  "accounts demo": { allowed: [] },
  "prices load": { allowed: ["replace"], file: true },
  "prices list": { allowed: [] },
  "prices override": {
    allowed: ["account", "prefix", "price"],
    required: ["account", "prefix", "price"],
  },
  "prices remove-override": { allowed: ["account", "prefix"], required: ["account", "prefix"] },
  "prices overrides": { allowed: ["account"], required: ["account"] },
} as const satisfies Record<string, Spec>;
export type CommandName = keyof typeof SPECS;

export const USAGE = `usage: gw accounts|prices <command> [options]   (node services/pricing/src/cli.ts …)

accounts:
  create --name <name> --credits <amount> [--currency EUR] [--live]
      Creates an account and prints its credentials; the token is shown only now.
      Accounts are test accounts unless --live is given.
  top-up --name <account> --credits <amount> [--note <why>] [--actor <who>] [--reference <id>]
  adjust --name <account> --amount <signed amount> --note <why> [--actor <who>] [--reference <id>]
      A correction, e.g. --amount=-1.5 (a negative value needs the '='); refused if
      the balance would go below zero.
      --reference (a payment's or invoice's id, 1-255 visible ASCII characters) makes a
      retry safe: the same reference with the same amount moves nothing again and prints
      the first movement ("already done"); with another amount or kind it is refused.
  rotate-token --name <account>            a new token; the old one stops at once
  rotate-webhook-secret --name <account>   a new signing secret; the old one is kept
                                           for WEBHOOK_SECRET_GRACE_MS (24 h)
  smpp-credentials --name <account> [--system-id <id>]
      SMPP credentials (system_id and a new password, shown only now); the old password
      stops at once. The system_id defaults to the account's, else its name.
  disable --name <account> | enable --name <account>
  block --name <account> --countries EE,LV    unblock --name <account> --countries EE
  limits --name <account> [--account-rate <n/s>] [--account-burst <n>] [--ip-rate <n/s>]
         [--smpp-binds <n>] [--smpp-window <n>] | --clear
  callback-url --name <account> --url <https://…> | --clear
      The default callback URL: reports of messages sent without a callbackUrl go there.
  ledger --name <account> [--limit 50] [--before <entry id>]
  audit --name <account> [--limit 50]
      Who created or revoked API keys, rotated the token, asked for or decided going live,
      when and from where.
  low-balance --name <account> --threshold <amount> | --clear [--actor <who>]
      Below this balance the console warns and one signed "balance" webhook goes to the
      account's default callback URL, once per crossing.
  live-requests [--status pending|approved|declined|all] [--limit 100]
      Requests for live sending (from the console), pending ones unless --status says.
  approve-live --name <account> [--actor <who>]
      Approves the account's pending request: it becomes live, balance, token and keys kept.
  decline-live --name <account> --reason <shown to the customer> [--actor <who>]
  show --name <account> | list
  demo      for the local stack: account "demo" with 10 EUR of test credits (or a new token)
prices:
  load <file.csv> [--replace]   load a price list (format in the README); --replace drops
                                the prefixes not in the file
  list
  override --account <account> --prefix <+372> --price <0.0300>
  remove-override --account <account> --prefix <+372> | overrides --account <account>

Every command takes --json (machine-readable output). <account> is a name or an acc_ id;
<amount> a decimal of the currency's main unit, at most 4 places: 10, 0.5, 0.0420.
Configuration comes from DATABASE_URL, NATS_URL and NATS_PREFIX, as for the service.`;

export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { kind: "help" };
  const [area, verb, ...extra] = positionals;
  if (area !== "accounts" && area !== "prices") throw new UsageError(`unknown command "${area}"`);
  if (verb === undefined) throw new UsageError(`${area}: which command?`);
  const kind = `${area} ${verb}`;
  if (!Object.hasOwn(SPECS, kind)) throw new UsageError(`unknown command "${kind}"`);
  const spec: Spec = SPECS[kind as CommandName];
  let file: string | undefined;
  if (spec.file) {
    file = extra.shift();
    if (file === undefined) throw new UsageError(`${kind} needs a file`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const options: Partial<Record<OptionName, string>> = {};
  const flags: Partial<Record<FlagName, boolean>> = {};
  for (const [key, value] of Object.entries(values) as Array<[Key, string | boolean]>) {
    if (key === "help" || key === "json") continue;
    if (!spec.allowed.includes(key)) throw new UsageError(`${kind} does not take --${key}`);
    if (typeof value === "boolean") flags[key as FlagName] = value;
    else options[key as OptionName] = value.trim();
  }
  for (const option of spec.required ?? []) {
    if (!options[option]) throw new UsageError(`${kind} needs --${option}`);
  }
  return {
    kind: kind as CommandName,
    options,
    flags,
    ...(file === undefined ? {} : { file }),
    json: values.json ?? false,
  };
}
