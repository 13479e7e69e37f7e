import {
  type CliOutput,
  openServiceDatabase,
  runOperatorCli,
  UsageError,
} from "@smsgw/service-kit";
import { loadInboundConfig } from "./config.ts";
import { createMessageStore, type MessageStore } from "./db/messages-store.ts";
import { INBOUND_SCHEMA, migrations } from "./db/migrations.ts";
import { createNumberStore, type NumberStore } from "./db/numbers-store.ts";
import { parseInventoryEntry } from "./domain/numbers.ts";

/**
 * The operator's CLI for the number inventory (`bin/gw numbers …`): the same store as the
 * admin API, on the inbound service's database (DATABASE_URL). Prints text or `--json`.
 * Exit codes: 0 done, 1 refused or failed, 2 usage.
 */
const PROGRAM = "gw-numbers";
export const USAGE = `Usage: bin/gw numbers <command> [--json]
  list                                  the inventory: each number, its carrier, who holds it
  add <number>… carrier=<id> [simulator=true]
                                        add numbers (E.164) whose MO that carrier delivers, or
                                        change their carrier; simulator numbers are the only
                                        ones a test account may take
  remove <number>                       take a number out of the inventory
  unowned [limit]                       the latest MO sent to numbers nobody holds (default 50)`;

type Command =
  | { kind: "help" }
  | { kind: "list"; json: boolean }
  | { kind: "add"; numbers: string[]; carrierId: string; simulator: string; json: boolean }
  | { kind: "remove"; number: string; json: boolean }
  | { kind: "unowned"; limit: number; json: boolean };

export function parseCommand(argv: readonly string[]): Command {
  const json = argv.includes("--json");
  const args = argv.filter((a) => a !== "--json");
  const [verb, ...rest] = args[0] === "numbers" ? args.slice(1) : args;
  if (verb === undefined || verb === "help" || verb === "--help" || verb === "-h")
    return { kind: "help" };
  if (verb === "list") return { kind: "list", json };
  if (verb === "remove") {
    if (!rest[0]) throw new UsageError("remove: which number?");
    return { kind: "remove", number: rest[0], json };
  }
  if (verb === "unowned") {
    const limit = rest[0] === undefined ? 50 : Number(rest[0]);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000)
      throw new UsageError("unowned: the limit is a whole number from 1 to 1000");
    return { kind: "unowned", limit, json };
  }
  if (verb === "add") {
    const pairs = new Map(
      rest
        .filter((a) => a.includes("="))
        .map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]),
    );
    const numbers = rest.filter((a) => !a.includes("="));
    const carrierId = pairs.get("carrier");
    if (numbers.length === 0) throw new UsageError("add: which numbers?");
    if (!carrierId) throw new UsageError("add: carrier=<id> is required");
    const unknown = [...pairs.keys()].filter((k) => k !== "carrier" && k !== "simulator");
    if (unknown.length > 0) throw new UsageError(`add: unknown ${unknown.join(", ")}`);
    return { kind: "add", numbers, carrierId, simulator: pairs.get("simulator") ?? "false", json };
  }
  throw new UsageError(`unknown command "${verb}"`);
}

export async function run(
  command: Exclude<Command, { kind: "help" }>,
  numbers: NumberStore,
  messages: Pick<MessageStore, "unowned">,
): Promise<CliOutput> {
  switch (command.kind) {
    case "list": {
      const inventory = await numbers.inventory();
      const lines = inventory.map(
        (n) =>
          `${n.number.padEnd(16)} ${n.country} ${n.carrierId.padEnd(12)}` +
          `${n.simulator ? " simulator" : ""} ${n.accountId ? `held by ${n.accountId}` : "free"}`,
      );
      return { text: lines.join("\n") || "(no numbers)", json: { numbers: inventory } };
    }
    case "add": {
      const entries = command.numbers.map((number) =>
        parseInventoryEntry({ number, carrierId: command.carrierId, simulator: command.simulator }),
      );
      const refused = entries.find((e) => !e.ok);
      if (refused && !refused.ok) {
        return { text: refused.message, json: { error: refused.message }, exitCode: 1 };
      }
      const added = [];
      for (const entry of entries) if (entry.ok) added.push(await numbers.put(entry.value));
      return {
        text: `${added.length} number(s) in the inventory: ${added.map((n) => n.number).join(", ")}`,
        json: { numbers: added },
      };
    }
    case "remove": {
      const removed = await numbers.remove(command.number);
      return removed
        ? { text: `Removed ${command.number}.`, json: { removed: command.number } }
        : { text: `No number ${command.number}.`, json: { removed: null }, exitCode: 1 };
    }
    case "unowned": {
      const inbound = await messages.unowned(command.limit);
      const lines = inbound.map(
        (m) => `${m.receivedAt} ${m.carrierId} ${m.from} -> ${m.to} (${m.parts}) ${m.text}`,
      );
      return { text: lines.join("\n") || "(none)", json: { inbound } };
    }
  }
}

function main(argv: readonly string[]): Promise<number> {
  return runOperatorCli(
    {
      program: PROGRAM,
      usage: USAGE,
      parse: parseCommand,
      loadConfig: loadInboundConfig,
      async execute(command, config, { onClose }) {
        const database = await openServiceDatabase<unknown>(config, INBOUND_SCHEMA, migrations, {
          max: 1,
        });
        onClose(() => database.close());
        return run(command, createNumberStore(database), createMessageStore(database));
      },
    },
    argv,
  );
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
