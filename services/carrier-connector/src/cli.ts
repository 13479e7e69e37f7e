import {
  type CliOutput,
  openServiceDatabase,
  runOperatorCli,
  UsageError,
} from "@smsgw/service-kit";
import { loadCarrierConnectorConfig } from "./config.ts";
import {
  type CarrierStore,
  carrierSecretBox,
  createCarrierStore,
  redacted,
} from "./db/carrier-store.ts";
import { CONNECTOR_SCHEMA, migrations } from "./db/migrations.ts";
import type { ConnectorDatabase } from "./db/schema.ts";
import { pairsToObject, parseCarrierInput } from "./domain/carrier-input.ts";

/**
 * The operator's CLI for carriers (`bin/gw carriers …`): the same store as the admin API, on
 * the connector's database (DATABASE_URL). Running connectors apply a change within
 * CARRIER_RELOAD_MS. Prints text or `--json`. Exit codes: 0 done, 1 refused or failed, 2 usage.
 */
const PROGRAM = "gw-carriers";
export const USAGE = `Usage: bin/gw carriers <command> [--json]
  list                          every stored carrier (passwords hidden)
  show <id>                     one carrier
  set <id> key=value …          create or change a carrier; unnamed fields keep their value
                                (new carrier: port= and password= at least); password=- reads
                                it from standard input, keeping it off the command line, e.g.
                                set acme host=10.0.0.5 port=2775 password=- binds=2 < acme.pw
  delete <id>                   remove it: running connectors unbind it
The first connector start stores env CARRIERS when the table is empty; after that the table rules.`;

type Command =
  | { kind: "help" }
  | { kind: "list"; json: boolean }
  | { kind: "show" | "delete"; id: string; json: boolean }
  | { kind: "set"; id: string; pairs: string[]; json: boolean };

export function parseCommand(argv: readonly string[]): Command {
  const json = argv.includes("--json");
  const args = argv.filter((a) => a !== "--json");
  const [verb, id, ...rest] = args[0] === "carriers" ? args.slice(1) : args;
  if (verb === undefined || verb === "help" || verb === "--help" || verb === "-h")
    return { kind: "help" };
  if (verb === "list") return { kind: "list", json };
  if (!id) throw new UsageError(`${verb}: which carrier? (an id)`);
  if (verb === "show" || verb === "delete") return { kind: verb, id, json };
  if (verb === "set") {
    if (rest.length === 0) throw new UsageError("set: give at least one key=value");
    return { kind: "set", id, pairs: rest, json };
  }
  throw new UsageError(`unknown command "${verb}"`);
}

export async function run(
  command: Exclude<Command, { kind: "help" }>,
  store: CarrierStore,
): Promise<CliOutput> {
  const { carriers } = await store.list();
  switch (command.kind) {
    case "list": {
      const lines = carriers.map(
        (c) =>
          `${c.id.padEnd(12)} ${c.host}:${c.port} ${c.bindMode}×${c.binds} window ${c.windowSize}` +
          (c.maxTps > 0 ? ` max ${c.maxTps}/s` : "") +
          (c.simulated ? " simulated" : ""),
      );
      return {
        text: lines.join("\n") || "(no carriers)",
        json: { carriers: carriers.map(redacted) },
      };
    }
    case "show": {
      const carrier = carriers.find((c) => c.id === command.id);
      if (!carrier)
        return { text: `No carrier ${command.id}.`, json: { carrier: null }, exitCode: 1 };
      return {
        text: JSON.stringify(redacted(carrier), null, 2),
        json: { carrier: redacted(carrier) },
      };
    }
    case "delete": {
      const deleted = await store.delete(command.id);
      return deleted
        ? { text: `Deleted carrier ${command.id}.`, json: { deleted: command.id } }
        : { text: `No carrier ${command.id}.`, json: { deleted: null }, exitCode: 1 };
    }
    case "set": {
      const pairs = pairsToObject(command.pairs);
      if (!pairs.ok) return { text: pairs.message, json: { error: pairs.message }, exitCode: 1 };
      const current = carriers.find((c) => c.id === command.id);
      const parsed = parseCarrierInput(command.id, { ...current, ...pairs.value });
      if (!parsed.ok) return { text: parsed.message, json: { error: parsed.message }, exitCode: 1 };
      await store.put(parsed.value);
      return {
        text: `Carrier ${command.id} ${current ? "changed" : "added"}.`,
        json: { carrier: redacted(parsed.value) },
      };
    }
  }
}

/**
 * `password=-`: the password is the first line of standard input, so that it appears in no
 * shell history and no process list (`ps`, /proc/<pid>/cmdline).
 */
export async function passwordFromStdin(
  pairs: readonly string[],
  read: () => Promise<string>,
): Promise<string[]> {
  if (!pairs.includes("password=-")) return [...pairs];
  const password = (await read()).split(/\r?\n/)[0] ?? "";
  if (password === "") throw new UsageError("password=-: standard input gave no password");
  return pairs.map((pair) => (pair === "password=-" ? `password=${password}` : pair));
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

function main(argv: readonly string[]): Promise<number> {
  return runOperatorCli(
    {
      program: PROGRAM,
      usage: USAGE,
      parse: parseCommand,
      loadConfig: loadCarrierConnectorConfig,
      async execute(command, config, { onClose }) {
        const database = await openServiceDatabase<ConnectorDatabase>(
          config,
          CONNECTOR_SCHEMA,
          migrations,
          { max: 1 },
        );
        onClose(() => database.close());
        const resolved =
          command.kind === "set"
            ? { ...command, pairs: await passwordFromStdin(command.pairs, readStdin) }
            : command;
        return run(resolved, createCarrierStore(database.db, carrierSecretBox(config)));
      },
    },
    argv,
  );
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
