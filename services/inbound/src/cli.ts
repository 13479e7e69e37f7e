import type { AuditEntry } from "@smsgw/contracts";
import {
  type CliOutput,
  openServiceDatabase,
  runOperatorCli,
  UsageError,
} from "@smsgw/service-kit";
import { loadInboundConfig } from "./config.ts";
import { listAudit } from "./db/audit.ts";
import { createMessageStore, type MessageStore } from "./db/messages-store.ts";
import { INBOUND_SCHEMA, migrations } from "./db/migrations.ts";
import { createNumberStore, type NumberStore } from "./db/numbers-store.ts";
import { createSenderIdStore, type SenderIdStore } from "./db/sender-ids-store.ts";
import { type InventoryNumber, parseInventoryEntry, restsUntil } from "./domain/numbers.ts";

/**
 * The operator's CLI for the number inventory (`bin/gw numbers …`) and the sender ID registry
 * (`bin/gw sender-ids …`): the same stores as the admin API, on the inbound service's
 * database (DATABASE_URL). Prints text or `--json`.
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
  unowned [limit]                       the latest MO sent to numbers nobody holds (default 50)
  audit <accountId> [limit]             the account's changes of numbers and sender IDs, newest
                                        first (default 50; the rest: bin/gw accounts audit)
Usage: bin/gw sender-ids <command> [--json]
  pending                               sender IDs accounts asked for, waiting for a decision
  approve <accountId> <sender>          approve one (the doors learn it within
                                        INBOUND_NUMBERS_SYNC_MS; the admin API tells them at once)
  reject <accountId> <sender>           reject one (an approved one stops passing likewise)`;

type Command =
  | { kind: "help" }
  | { kind: "list"; json: boolean }
  | { kind: "add"; numbers: string[]; carrierId: string; simulator: string; json: boolean }
  | { kind: "remove"; number: string; json: boolean }
  | { kind: "unowned"; limit: number; json: boolean }
  | { kind: "audit"; accountId: string; limit: number; json: boolean }
  | { kind: "sender-ids pending"; json: boolean }
  | {
      kind: "sender-ids decide";
      decision: "approved" | "rejected";
      accountId: string;
      sender: string;
      json: boolean;
    };

export function parseCommand(argv: readonly string[]): Command {
  const json = argv.includes("--json");
  const args = argv.filter((a) => a !== "--json");
  if (args[0] === "sender-ids") return parseSenderIdsCommand(args.slice(1), json);
  const [verb, ...rest] = args[0] === "numbers" ? args.slice(1) : args;
  if (verb === undefined || verb === "help" || verb === "--help" || verb === "-h")
    return { kind: "help" };
  if (verb === "list") return { kind: "list", json };
  if (verb === "remove") {
    if (!rest[0]) throw new UsageError("remove: which number?");
    return { kind: "remove", number: rest[0], json };
  }
  if (verb === "audit") {
    const limit = rest[1] === undefined ? 50 : Number(rest[1]);
    if (!rest[0]) throw new UsageError("audit: which account (its id)?");
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new UsageError("audit: the limit is a whole number from 1 to 500");
    return { kind: "audit", accountId: rest[0], limit, json };
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

function parseSenderIdsCommand(args: readonly string[], json: boolean): Command {
  const [verb, accountId, sender, ...extra] = args;
  if (verb === undefined || verb === "help") return { kind: "help" };
  if (verb === "pending") return { kind: "sender-ids pending", json };
  if (verb !== "approve" && verb !== "reject") throw new UsageError(`unknown command "${verb}"`);
  if (!accountId || !sender || extra.length > 0) {
    throw new UsageError(
      `${verb}: give the account id and the sender ID (quoted if it has spaces)`,
    );
  }
  const decision = verb === "approve" ? "approved" : "rejected";
  return { kind: "sender-ids decide", decision, accountId, sender, json };
}

export async function run(
  command: Exclude<Command, { kind: "help" }>,
  numbers: NumberStore,
  messages: Pick<MessageStore, "unowned">,
  senderIds: SenderIdStore,
  audit: (accountId: string, limit: number) => Promise<AuditEntry[]>,
): Promise<CliOutput> {
  switch (command.kind) {
    case "audit": {
      const entries = await audit(command.accountId, command.limit);
      const lines = entries.map(
        (e) =>
          `${e.at} ${e.action.padEnd(24)} ${e.target ?? "-"} by ${e.actor} from ${e.ip ?? "-"}`,
      );
      return { text: lines.join("\n") || "(no changes)", json: { entries } };
    }
    case "sender-ids pending": {
      const pending = await senderIds.pending(1_000);
      const lines = pending.map(
        (r) => `${r.requestedAt.toISOString()} ${r.accountId} ${JSON.stringify(r.sender)}`,
      );
      return { text: lines.join("\n") || "(none waiting)", json: { pending } };
    }
    case "sender-ids decide": {
      const { accountId, sender, decision } = command;
      // The operator at the terminal: the CLI runs with the database's own credentials.
      const actor = `cli:${process.env.USER ?? process.env.LOGNAME ?? "unknown"}`;
      const decided = await senderIds.decide(accountId, sender, decision, new Date(), {
        actor,
        ip: null,
      });
      return decided
        ? { text: `${sender} ${decision} for ${accountId}.`, json: { senderId: decided } }
        : {
            text: `${accountId} has not asked for ${sender}.`,
            json: { senderId: null },
            exitCode: 1,
          };
    }
    case "list": {
      const inventory = await numbers.inventory();
      const now = new Date();
      const holder = (n: InventoryNumber) => {
        if (n.accountId) return `held by ${n.accountId}`;
        const resting = restsUntil(n, now, numbers.quarantineMs);
        return resting
          ? `free, resting until ${resting.toISOString()} (released by ${n.releasedBy})`
          : "free";
      };
      const lines = inventory.map(
        (n) =>
          `${n.number.padEnd(16)} ${n.country} ${n.carrierId.padEnd(12)}` +
          `${n.simulator ? " simulator" : ""} ${holder(n)}`,
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
        return run(
          command,
          createNumberStore(database, {
            quarantineMs: config.NUMBER_QUARANTINE_DAYS * 86_400_000,
          }),
          createMessageStore(database),
          createSenderIdStore(database),
          (accountId, limit) => listAudit(database.sql, accountId, limit),
        );
      },
    },
    argv,
  );
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
